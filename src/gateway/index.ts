export {
  type BatchRequest,
  BatchRequestSchema,
  type BatchResult,
  type BatchSummary,
  type CallErrorInfo,
  type CallRequest,
  CallRequestSchema,
  type CallResult,
} from "./batch-schema.ts";
export { BatchStream } from "./batch-stream.ts";
export { type BatchOptions, Gateway, type GatewayDeps, InvalidBatchError } from "./gateway.ts";
export { toolAllowed } from "./router.ts";
