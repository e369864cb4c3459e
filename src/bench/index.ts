/** `hangar bench`: fan-out, overhead, cold start and concurrent clients against configured or demo providers. */

export type { HeadlineRow } from "./headline.ts";
export type { BenchFailure, BenchReport, BenchTarget, RunFigures } from "./report.ts";
export { type BenchOptions, type HeadlineReport, runBench, runHeadline } from "./run-bench.ts";
export type { ProgressListener } from "./scenarios.ts";
export { type LatencyStats, latencyStats, percentile } from "./stats.ts";
