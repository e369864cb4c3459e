import { combineRecorders } from "./combine-recorders.ts";
import type { Logger } from "./log.ts";
import { logRecorder } from "./log-recorder.ts";
import type { Metrics, MetricsSource } from "./metrics.ts";
import { type Env, tracesEndpoint } from "./otel-env.ts";
import type { GatewayRecorder } from "./recorder.ts";
import type { Tracing } from "./tracing.ts";

/** Options of `openObservability`; every field says its default. */
export interface ObservabilityOptions {
  /** Where batch and call lines go (default: no call logging). */
  readonly logger?: Logger;
  /** Keep Prometheus metrics (default false; `serve --http` and `--metrics-port` want them). */
  readonly metrics?: boolean;
  /** Where OTEL_* settings are read (default process.env); tracing is on when an OTLP endpoint is set. */
  readonly env?: Env;
}

/** Logs, metrics and traces of one process, wired to its Gateway through `recorder`. */
export interface Observability {
  /** Give this to the Gateway (`GatewayDeps.recorder`). */
  readonly recorder: GatewayRecorder;
  /** Prometheus metrics, when asked for: `text()` and `contentType` serve `GET /metrics`. */
  readonly metrics: Metrics | undefined;
  /** OpenTelemetry tracing, when an OTLP endpoint is configured. */
  readonly tracing: Tracing | undefined;
  /** Points the scrape-time gauges (provider state, breaker, in flight, queued) at the gateway. */
  watch(gateway: MetricsSource): void;
  /** Flushes spans and stops exporting; call once, after the gateway has closed. */
  shutdown(): Promise<void>;
}

/**
 * Sets up what the options and environment ask for. prom-client and OpenTelemetry are loaded only
 * when used, so a plain `hangar call` does not pay for them at start-up.
 */
export async function openObservability(options: ObservabilityOptions = {}): Promise<Observability> {
  const env = options.env ?? process.env;
  const metrics = options.metrics ? (await import("./metrics.ts")).createMetrics() : undefined;
  const tracing = tracesEndpoint(env) === undefined ? undefined : (await import("./tracing.ts")).createTracing({ env });
  const recorders = [options.logger ? logRecorder(options.logger) : undefined, metrics?.recorder, tracing?.recorder];
  return {
    recorder: combineRecorders(...recorders.filter((recorder) => recorder !== undefined)),
    metrics,
    tracing,
    watch: (gateway) => metrics?.watch(gateway),
    shutdown: async () => await tracing?.shutdown(),
  };
}
