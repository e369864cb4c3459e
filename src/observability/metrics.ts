import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { BatchRecorder, CallInfo, CallOutcome, CallRecorder, GatewayRecorder } from "./recorder.ts";

/** What metrics read from the live gateway at each scrape (the Gateway fits it). */
export interface MetricsSource {
  readonly handles: ReadonlyMap<
    string,
    {
      readonly state: string;
      readonly breaker: { readonly state: string };
      /** What the provider listed (undefined before its first start): its tools are the only tool label values. */
      readonly catalog: { readonly listed: { readonly tools: readonly { readonly name: string }[] } | undefined };
    }
  >;
  /** Calls of a provider holding its permit (in flight) and waiting for one (queued). */
  load(providerId: string): { readonly inFlight: number; readonly queued: number };
}

/**
 * How often the event loop lag is sampled, in ms. prom-client's default, 10 ms, is a timer that wakes an
 * idle `hangar serve --http` a hundred times a second; once a second keeps the lag metrics (a delay of the
 * sampling timer, so a stall shows when it overlaps a sample) and lets an idle gateway sleep.
 */
export const EVENT_LOOP_SAMPLE_MS = 1000;

/** Options of `createMetrics`; every field says its default. */
export interface MetricsOptions {
  /** Also export process metrics (CPU, memory, event loop lag, file descriptors) as `hangar_process_*`, `hangar_nodejs_*` (default true). */
  readonly processMetrics?: boolean;
}

/** Hangar's Prometheus metrics, on a registry of their own. */
export interface Metrics {
  readonly registry: Registry;
  /** Give this to the Gateway (`GatewayDeps.recorder`). */
  readonly recorder: GatewayRecorder;
  /** The `Content-Type` of `text()`: Prometheus text exposition format 0.0.4. */
  readonly contentType: string;
  /** Reads per-provider gauges (state, breaker, in flight, queued) from `source` at each scrape. */
  watch(source: MetricsSource): void;
  /** The metrics in Prometheus text format, for `GET /metrics`. */
  text(): Promise<string>;
  /** Counts a config reload by how it ended: applied, unchanged or failed (`hangar_config_reloads_total`). */
  configReloaded(result: "applied" | "unchanged" | "failed"): void;
}

/** Latency buckets from 1 ms to 60 s, in seconds. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Batch size buckets up to the largest allowed batch. */
export const BATCH_SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

const PROVIDER_STATES = ["cold", "starting", "ready", "draining", "stopped", "failed"];
const BREAKER_STATES: Readonly<Record<string, number>> = { closed: 0, "half-open": 1, open: 2 };
/**
 * Label of a name that is not in the configured catalog (a provider id not in the config, a tool the
 * provider has not listed), whatever the call's outcome, so callers cannot grow the series without bound.
 */
const UNKNOWN = "(unknown)";

/** Creates the metrics; `watch(gateway)` once the gateway exists. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let source: MetricsSource | undefined;
  const providers = () => (source ? [...source.handles] : []);

  const calls = new Counter({
    name: "hangar_calls_total",
    help: "Calls that settled, by provider, tool and outcome (ok or the error type)",
    labelNames: ["provider", "tool", "outcome"],
    registers,
  });
  const callSeconds = new Histogram({
    name: "hangar_call_duration_seconds",
    help: "Time a call ran once it had its permits, cold start and retries included; calls sent to the provider at least once",
    labelNames: ["provider", "tool"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const batchSeconds = new Histogram({
    name: "hangar_batch_duration_seconds",
    help: "Time from accepting a batch to its last call settling",
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const batchSize = new Histogram({
    name: "hangar_batch_size",
    help: "Calls per batch",
    buckets: BATCH_SIZE_BUCKETS,
    registers,
  });
  new Gauge({
    name: "hangar_calls_in_flight",
    help: "Calls holding a permit of the provider right now (starting it, or waiting on its answer)",
    labelNames: ["provider"],
    registers,
    collect() {
      this.reset();
      for (const [id] of providers()) this.set({ provider: id }, source!.load(id).inFlight);
    },
  });
  new Gauge({
    name: "hangar_calls_queued",
    help: "Calls waiting for a permit of the provider (its max_concurrency is in use)",
    labelNames: ["provider"],
    registers,
    collect() {
      this.reset();
      for (const [id] of providers()) this.set({ provider: id }, source!.load(id).queued);
    },
  });
  new Gauge({
    name: "hangar_provider_state",
    help: "1 for the provider's current lifecycle state, 0 for the others",
    labelNames: ["provider", "state"],
    registers,
    collect() {
      this.reset();
      for (const [id, handle] of providers())
        for (const state of PROVIDER_STATES) this.set({ provider: id, state }, handle.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: "hangar_breaker_state",
    help: "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    labelNames: ["provider"],
    registers,
    collect() {
      this.reset();
      for (const [id, handle] of providers()) this.set({ provider: id }, BREAKER_STATES[handle.breaker.state] ?? 0);
    },
  });
  const starts = new Counter({
    name: "hangar_provider_starts_total",
    help: "Provider starts, by outcome (ok or failed)",
    labelNames: ["provider", "outcome"],
    registers,
  });
  const crashes = new Counter({
    name: "hangar_provider_crashes_total",
    help: "Unexpected exits of a running provider (the next call restarts it)",
    labelNames: ["provider"],
    registers,
  });
  const startSeconds = new Histogram({
    name: "hangar_provider_start_duration_seconds",
    help: "Cold start of a provider: spawn, initialize and listing",
    labelNames: ["provider"],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const rejections = new Counter({
    name: "hangar_breaker_rejections_total",
    help: "Calls and health checks refused because the circuit was open (circuit_open)",
    labelNames: ["provider"],
    registers,
  });
  const health = new Counter({
    name: "hangar_health_checks_total",
    help: "Health check pings, by result (ok or failed)",
    labelNames: ["provider", "result"],
    registers,
  });
  const reloads = new Counter({
    name: "hangar_config_reloads_total",
    help: "Config reloads (file change or SIGHUP), by result: applied, unchanged, or failed (the running config stays)",
    labelNames: ["result"],
    registers,
  });
  for (const result of ["applied", "unchanged", "failed"]) reloads.inc({ result }, 0);
  if (options.processMetrics ?? true)
    collectDefaultMetrics({
      register: registry,
      prefix: "hangar_",
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });

  // Each call's label objects, made once per provider and tool it may name (see `seriesOf`).
  const unknown = newSeries(UNKNOWN, UNKNOWN);
  const unlisted = new Map<string, Series>();
  const listed = new WeakMap<readonly { readonly name: string }[], ReadonlyMap<string, Series>>();
  /**
   * The series of a call: its provider if configured, its tool if that provider listed it; else (unknown).
   * Made once per provider's listing (configured names only, so the cache is as bounded as the labels).
   */
  const seriesOf = (call: CallInfo): Series => {
    const handle = source?.handles.get(call.provider);
    if (handle === undefined) return unknown;
    const tools = handle.catalog.listed?.tools;
    let byName: ReadonlyMap<string, Series> | undefined;
    if (tools !== undefined) {
      byName = listed.get(tools);
      if (byName === undefined) {
        byName = new Map(tools.map((tool) => [tool.name, newSeries(call.provider, tool.name)]));
        listed.set(tools, byName);
      }
    }
    const known = byName?.get(call.tool);
    if (known !== undefined) return known;
    let other = unlisted.get(call.provider);
    if (other === undefined) {
      other = newSeries(call.provider, UNKNOWN);
      unlisted.set(call.provider, other);
    }
    return other;
  };
  const callRecorder = (call: CallInfo): CallRecorder => ({
    upstream: (_kind, send) => send(undefined),
    finished(outcome: CallOutcome) {
      const type = outcome.ok ? "ok" : (outcome.error?.type ?? "internal");
      const series = seriesOf(call);
      calls.inc(outcomeLabels(series, type));
      if (outcome.attempts > 0) callSeconds.observe(series.labels, outcome.elapsed_ms / 1000);
    },
  });
  // A single call is not a batch: only its call is counted.
  const single: BatchRecorder = { callStarted: callRecorder, finished: () => {} };
  const recorder: GatewayRecorder = {
    batchStarted(batch): BatchRecorder {
      if (batch.single) return single;
      batchSize.observe(batch.size);
      return { callStarted: callRecorder, finished: ({ elapsedMs }) => batchSeconds.observe(elapsedMs / 1000) };
    },
    providerStarted(provider, durationMs) {
      starts.inc({ provider, outcome: "ok" });
      startSeconds.observe({ provider }, durationMs / 1000);
    },
    providerStartFailed: (provider) => starts.inc({ provider, outcome: "failed" }),
    providerCrashed: (provider) => crashes.inc({ provider }),
    breakerRejected: (provider) => rejections.inc({ provider }),
    healthChecked: (provider, ok) => health.inc({ provider, result: ok ? "ok" : "failed" }),
    flush: () => Promise.resolve(),
  };
  return {
    registry,
    recorder,
    contentType: registry.contentType,
    watch(next) {
      source = next;
    },
    text: () => registry.metrics(),
    configReloaded: (result) => reloads.inc({ result }),
  };
}

/** The labels of a provider's tool, and of its calls by outcome (made at the first of each). */
interface Series {
  readonly labels: { readonly provider: string; readonly tool: string };
  readonly byOutcome: Map<string, { readonly provider: string; readonly tool: string; readonly outcome: string }>;
}

function newSeries(provider: string, tool: string): Series {
  return { labels: { provider, tool }, byOutcome: new Map() };
}

/** `series`' labels with `outcome` (outcomes are the error types and "ok": a few per series). */
function outcomeLabels(series: Series, outcome: string): { provider: string; tool: string; outcome: string } {
  let labels = series.byOutcome.get(outcome);
  if (labels === undefined) {
    labels = { ...series.labels, outcome };
    series.byOutcome.set(outcome, labels);
  }
  return labels;
}
