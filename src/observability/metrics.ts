import { Counter, collectDefaultMetrics, Gauge, Histogram, type Metric, Registry } from "prom-client";
// The leaf module only: the pool itself depends on observability.
import { PROVIDER_STATES } from "../pool/provider-state.ts";
import {
  type BatchRecorder,
  type CallInfo,
  type CallOutcome,
  type CallRecorder,
  type GatewayRecorder,
  SettledCallRecorder,
} from "./recorder.ts";

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

  // A call's two samples are counted in place and read at each scrape (`outcomeCount`, `CallHistogram`).
  const settled = new Set<OutcomeCount>();
  new Counter({
    name: "hangar_calls_total",
    help: "Calls that settled, by provider, tool and outcome (ok or the error type)",
    labelNames: ["provider", "tool", "outcome"],
    registers,
    collect() {
      for (const count of settled) {
        this.inc(count.labels, count.pending);
        count.pending = 0;
      }
      settled.clear();
    },
  });
  const callSeconds = new CallHistogram(
    "hangar_call_duration_seconds",
    "Time a call ran once it had its permits, cold start and retries included; calls sent to the provider at least once",
    LATENCY_BUCKETS,
  );
  registry.registerMetric(callSeconds as unknown as Metric);
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

  // Each call's label objects and counts, made once per provider and tool it may name (see `seriesOf`).
  const newSeries = (provider: string, tool: string): Series => ({
    byOutcome: new Map(),
    duration: callSeconds.seriesOf({ provider, tool }),
  });
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
  /** What a call's end counts: its outcome, and its duration once it reached its provider. */
  const callFinished = (call: CallInfo, outcome: CallOutcome): void => {
    const type = outcome.ok ? "ok" : (outcome.error?.type ?? "internal");
    const series = seriesOf(call);
    const count = outcomeCount(series, type);
    if (count.pending++ === 0) settled.add(count);
    if (outcome.attempts > 0) callSeconds.observe(series.duration, outcome.elapsed_ms / 1000);
  };
  const callRecorder = (call: CallInfo): CallRecorder => new MetricsCall(call, callFinished);
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

/** One call's recorder: one object per call, its end counted by `finished` (no closures of its own). */
class MetricsCall extends SettledCallRecorder {
  constructor(
    private readonly call: CallInfo,
    private readonly counted: (call: CallInfo, outcome: CallOutcome) => void,
  ) {
    super();
  }

  finished(outcome: CallOutcome): void {
    this.counted(this.call, outcome);
  }
}

/** A provider's tool: its calls by outcome, and its duration counts (which hold its labels). */
interface Series {
  readonly byOutcome: Map<string, OutcomeCount>;
  readonly duration: HistogramSeries;
}

/** Calls of one provider, tool and outcome settled since the last scrape. */
interface OutcomeCount {
  readonly labels: { readonly provider: string; readonly tool: string; readonly outcome: string };
  pending: number;
}

/** `series`' count of `outcome` (outcomes are the error types and "ok": a few per series). */
function outcomeCount(series: Series, outcome: string): OutcomeCount {
  let count = series.byOutcome.get(outcome);
  if (count === undefined) {
    count = { labels: { ...series.duration.labels, outcome }, pending: 0 };
    series.byOutcome.set(outcome, count);
  }
  return count;
}

/** The observations of one provider and tool: a count per bucket (the last: above every bound), sum, count. */
interface HistogramSeries {
  readonly labels: { readonly provider: string; readonly tool: string };
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * `hangar_call_duration_seconds`: a histogram by provider and tool whose observations are counted in place
 * (a bucket found, three additions), read by the registry at each scrape as prom-client's Histogram gives
 * it (buckets cumulative, `le` first; then `_sum` and `_count`). prom-client's Histogram checks and hashes
 * the label values of every observation, and with the counter's increment that was ~5 µs of a call
 * through the HTTP front while Bun still compiles its path (bench/hop-js.ts --warmup 600 --metrics).
 * One series per provider and tool however many times it is asked for (a reload lists tools anew).
 */
class CallHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  /** The series of `labels`, made at the first ask. */
  seriesOf(labels: { readonly provider: string; readonly tool: string }): HistogramSeries {
    const key = `${labels.provider}\u0000${labels.tool}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { labels, counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    return series;
  }

  observe(series: HistogramSeries, value: number): void {
    let bucket = 0;
    while (bucket < this.buckets.length && value > this.buckets[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += value;
    series.count++;
  }

  /** The samples, as `Registry` reads a metric (`get()`). */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: { value: number; labels: Record<string, string | number>; metricName: string }[];
  }> {
    const values: { value: number; labels: Record<string, string | number>; metricName: string }[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      if (count === 0) continue;
      let below = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        below += counts[i]!;
        values.push({ value: below, labels: { le: this.buckets[i]!, ...labels }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: count, labels: { le: "+Inf", ...labels }, metricName: `${this.name}_bucket` });
      values.push({ value: sum, labels: { ...labels }, metricName: `${this.name}_sum` });
      values.push({ value: count, labels: { ...labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every series (`Registry.resetMetrics`); the series stay, since calls hold them. */
  reset(): void {
    for (const series of this.series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
