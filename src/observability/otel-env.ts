/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The OTLP/HTTP traces URL from `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (as is) or
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`); undefined (tracing off) when neither is set, when
 * `OTEL_SDK_DISABLED=true`, or when `OTEL_TRACES_EXPORTER=none`.
 */
export function tracesEndpoint(env: Env): string | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true" || env.OTEL_TRACES_EXPORTER?.trim() === "none")
    return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, "")}/v1/traces` : undefined;
}

/**
 * The trace context a parent process hands down in `$TRACEPARENT` / `$TRACESTATE` (OpenTelemetry's
 * environment-variable carrier), as `BatchOptions` fields, so `hangar call` in a traced script joins
 * its trace.
 */
export function traceContextFromEnv(env: Env): { traceparent?: string; tracestate?: string } {
  const traceparent = env.TRACEPARENT?.trim();
  if (!traceparent) return {};
  const tracestate = env.TRACESTATE?.trim();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}
