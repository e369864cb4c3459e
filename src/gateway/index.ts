export {
  BatchRequestSchema,
  CallRequestSchema,
  type BatchRequest,
  type BatchResult,
  type CallErrorInfo,
  type CallRequest,
  type CallResult,
} from "./batch-schema.ts";
export { Gateway, InvalidBatchError, summarize, type BatchOptions, type BatchStream, type GatewayDeps } from "./gateway.ts";
export { toolAllowed } from "./router.ts";
