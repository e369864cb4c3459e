/** Latency statistics of a benchmark: percentiles (nearest rank), mean and max, in milliseconds. */

/** Percentiles and friends of one set of samples, in ms, rounded to 0.001 ms. */
export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

/** The value at percentile `p` (0–100) of sorted `values` (nearest rank); 0 for no values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The median of `values` (not sorted); 0 for no values. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Rounds ms to 0.001 ms, so reports stay readable and still show sub-millisecond overhead. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The statistics of `samples` (ms). */
export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: roundMs(percentile(sorted, 50)),
    p95: roundMs(percentile(sorted, 95)),
    p99: roundMs(percentile(sorted, 99)),
    mean: roundMs(sorted.length ? sum / sorted.length : 0),
    max: roundMs(sorted.at(-1) ?? 0),
  };
}
