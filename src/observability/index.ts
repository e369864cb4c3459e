// Observability's public face. prom-client and OpenTelemetry sit behind `openObservability`, which
// loads them only when asked; import `./metrics.ts` or `./tracing.ts` directly to build one by hand.
export { combineRecorders } from "./combine-recorders.ts";
export { createLogger, LOG_LEVELS, type Logger, type LoggerOptions, REDACT_PATHS, silentLogger } from "./log.ts";
export { logRecorder } from "./log-recorder.ts";
export type { Metrics, MetricsOptions, MetricsSource } from "./metrics.ts";
export { type Observability, type ObservabilityOptions, openObservability } from "./open-observability.ts";
export { traceContextFromEnv, tracesEndpoint } from "./otel-env.ts";
export {
  type BatchInfo,
  type BatchRecorder,
  type CallInfo,
  type CallOutcome,
  type CallRecorder,
  type GatewayRecorder,
  noopRecorder,
  type UpstreamMeta,
} from "./recorder.ts";
export { formatTraceparent, parseTraceparent } from "./trace-context.ts";
export { fetchWithTraceHeaders } from "./trace-headers.ts";
export type { Tracing, TracingOptions } from "./tracing.ts";
