export {
  type BatchRequest,
  BatchRequestSchema,
  type BatchResult,
  type CallErrorInfo,
  type CallRequest,
  CallRequestSchema,
  type CallResult,
} from "./batch-schema.ts";
export {
  type BatchOptions,
  type BatchStream,
  Gateway,
  type GatewayDeps,
  InvalidBatchError,
  summarize,
} from "./gateway.ts";
export { toolAllowed } from "./router.ts";
