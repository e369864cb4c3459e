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
  type ProviderAnswer,
} from "./batch-schema.ts";
export { BatchStream } from "./batch-stream.ts";
export type { ConfigStatus, ReloadResult, ReloadTrigger } from "./config-record.ts";
export { ConfigReloader, type ConfigReloaderOptions } from "./config-reloader.ts";
export {
  type BatchOptions,
  type CallOneOptions,
  Gateway,
  type GatewayDeps,
  InvalidBatchError,
  type OneCallResult,
  type ProviderRpcError,
} from "./gateway.ts";
export { LITERAL_KEY, REF_KEY } from "./references.ts";
export { ResultStore } from "./result-store.ts";
export { MCP_RESULT_BYTES } from "./result-trim.ts";
export { toolAllowed } from "./router.ts";
