import type { HealthStats } from "./health-check.ts";

/** Counters a handle keeps for status and benchmarks. */
export interface ProviderStats extends HealthStats {
  starts: number;
  failedStarts: number;
  /** Unexpected exits of a running provider. */
  crashes: number;
  calls: number;
  /** Round trip of the last answered tool call, in ms. */
  lastCallMs: number | undefined;
  /** Moving average of answered tool calls' round trips (each new one weighs 1/5), in ms. */
  avgCallMs: number | undefined;
  lastError: string | undefined;
  /** When the provider last became ready, on the gateway's clock. */
  startedAt: number | undefined;
}

/** Counters of a provider that has done nothing yet. */
export function emptyStats(): ProviderStats {
  return {
    starts: 0,
    failedStarts: 0,
    crashes: 0,
    calls: 0,
    healthChecks: 0,
    healthFailures: 0,
    lastPingMs: undefined,
    lastCallMs: undefined,
    avgCallMs: undefined,
    lastError: undefined,
    startedAt: undefined,
  };
}

/** Counts one answered tool call's round trip into the last and the moving average. */
export function recordCallTime(stats: ProviderStats, ms: number): void {
  stats.lastCallMs = ms;
  stats.avgCallMs = stats.avgCallMs === undefined ? ms : stats.avgCallMs + (ms - stats.avgCallMs) / 5;
}
