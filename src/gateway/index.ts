export {
  type BatchRequest,
  BatchRequestSchema,
  type BatchResult,
  BatchResultSchema,
  type BatchSummary,
  BatchSummarySchema,
  type CallErrorInfo,
  CallErrorInfoSchema,
  type CallRequest,
  CallRequestSchema,
  type CallResult,
  CallResultSchema,
} from "./batch-schema.ts";
export { BatchStream } from "./batch-stream.ts";
export { type BatchOptions, Gateway, type GatewayDeps, InvalidBatchError } from "./gateway.ts";
export { toolAllowed } from "./router.ts";
