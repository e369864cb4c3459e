/** The shape of `hangar bench --json`: the settings, what was called, and the figures of each scenario. */
import type { LatencyStats } from "./stats.ts";

/** One tool bench calls, with the arguments it sends. */
export interface BenchTarget {
  readonly provider: string;
  readonly tool: string;
  readonly arguments: Record<string, unknown>;
}

/** The first call of a run that failed: which, and why, as its result's `error` says. */
export interface BenchFailure {
  readonly provider: string;
  readonly tool: string;
  /** The error type (`tool_error`, `timeout`, `provider_unavailable`, …). */
  readonly type: string;
  readonly message: string;
}

/** Calls made in one scenario, how many succeeded, the wall time and the per-call latency. */
export interface RunFigures {
  readonly calls: number;
  readonly succeeded: number;
  /** Succeeded / calls, 0–1. */
  readonly success_rate: number;
  /** Wall time of one round (the median over rounds), ms. */
  readonly wall_ms: number;
  /** Each call's latency as its caller sees it (from sending to its result), over every round. */
  readonly latency_ms: LatencyStats;
  /** The first call that failed, when one did. */
  readonly first_failure?: BenchFailure;
}

/** The whole report. */
export interface BenchReport {
  /** The config file, or "demo" for the built-in demo providers. */
  readonly config: string;
  readonly settings: { readonly calls: number; readonly rounds: number; readonly concurrency: number };
  readonly targets: readonly BenchTarget[];
  /** Providers left out, and why (no safe tool, failed to start, …). */
  readonly skipped: readonly { readonly provider: string; readonly reason: string }[];
  /**
   * The same batch one call after another, then as one parallel batch. The speedup is null when a call
   * failed: the time of failures is no measure of the workload.
   */
  readonly fan_out: {
    readonly sequential: RunFigures;
    readonly parallel: RunFigures;
    readonly speedup: number | null;
  };
  /** One call at a time: a direct MCP client to the provider vs the same call through hangar. */
  readonly overhead:
    | {
        readonly target: BenchTarget;
        readonly direct: RunFigures;
        readonly hangar: RunFigures;
        /** Through hangar minus direct, ms; null when a call failed on either path. */
        readonly added_ms: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
      }
    | { readonly target: BenchTarget; readonly skipped: string };
  /** Concurrent callers to a stopped provider: how many times it started (1 is right). */
  readonly cold_start: RunFigures & { readonly provider: string; readonly callers: number; readonly starts: number };
  /** Several clients sending their batch at the same time. */
  readonly concurrent_clients: RunFigures & {
    readonly clients: number;
    readonly calls_per_client: number;
    /** Calls a second over all clients; null when a call failed. */
    readonly calls_per_s: number | null;
  };
  /** What limits the figures (a provider's max_concurrency making a batch run in waves, …). */
  readonly notes: readonly string[];
  /** The first call that failed, of the first scenario that had one (absent when every call succeeded). */
  readonly first_failure?: BenchFailure;
  /** Every call of every scenario succeeded. */
  readonly ok: boolean;
}
