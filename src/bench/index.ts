/** `hangar bench`: fan-out, overhead, cold start and concurrent clients against configured or demo providers. */
export type { BenchReport, BenchTarget, RunFigures } from "./report.ts";
export { runBench, type BenchOptions } from "./run-bench.ts";
export type { ProgressListener } from "./scenarios.ts";
export { latencyStats, percentile, type LatencyStats } from "./stats.ts";
