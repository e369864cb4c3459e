/** Running calls through the library's Hangar (the path of `hangar call` and `serve`), timing each as its caller sees it. */
import type { Hangar } from "../lib/hangar.ts";
import type { CallResult } from "../lib/types.ts";
import type { BenchFailure, BenchTarget, RunFigures } from "./report.ts";
import { latencyStats, median, roundMs } from "./stats.ts";

/** What a timed run measured: each call's latency (ms), how many succeeded, the wall time, the first failure. */
export interface TimedRun {
  readonly samples: number[];
  readonly succeeded: number;
  readonly wallMs: number;
  readonly failure?: BenchFailure | undefined;
}

/** Which call failed and why, from its result; undefined for a call that succeeded. */
export function failureOf(result: Pick<CallResult, "ok" | "provider" | "tool" | "error">): BenchFailure | undefined {
  if (result.ok) return undefined;
  return {
    provider: result.provider,
    tool: result.tool,
    type: result.error?.type ?? "internal",
    message: result.error?.message ?? "the call failed without saying why",
  };
}

/** `count` calls spread over `targets` in turn (round robin). */
export function spread(targets: readonly BenchTarget[], count: number): BenchTarget[] {
  return Array.from({ length: count }, (_, i) => targets[i % targets.length]!);
}

/** The batch request for `calls`. */
export function batchOf(calls: readonly BenchTarget[]): {
  calls: { provider: string; tool: string; arguments: Record<string, unknown> }[];
} {
  return { calls: calls.map((call) => ({ provider: call.provider, tool: call.tool, arguments: call.arguments })) };
}

/** One batch of `calls`; each call's latency runs from the start of the batch to its result. */
export async function timedBatch(
  hangar: Hangar,
  calls: readonly BenchTarget[],
  signal: AbortSignal,
): Promise<TimedRun> {
  const started = performance.now();
  const batch = hangar.stream(batchOf(calls), { signal });
  const samples: number[] = [];
  let succeeded = 0;
  let failure: BenchFailure | undefined;
  for await (const result of batch) {
    samples.push(performance.now() - started);
    if (result.ok) succeeded++;
    else failure ??= failureOf(result);
  }
  return { samples, succeeded, wallMs: performance.now() - started, failure };
}

/** `calls` one after another, each a batch of one, as a client without batching would send them. */
export async function timedSequence(
  hangar: Hangar,
  calls: readonly BenchTarget[],
  signal: AbortSignal,
  onCall?: (done: number) => void,
): Promise<TimedRun> {
  const started = performance.now();
  const samples: number[] = [];
  let succeeded = 0;
  let failure: BenchFailure | undefined;
  for (const call of calls) {
    const t = performance.now();
    const result = await hangar.call(batchOf([call]), { signal });
    samples.push(performance.now() - t);
    succeeded += result.succeeded;
    for (const one of result.results) failure ??= failureOf(one);
    onCall?.(samples.length);
  }
  return { samples, succeeded, wallMs: performance.now() - started, failure };
}

/** Merges the runs of several rounds into figures: pooled latencies, median wall time, the first failure. */
export function merge(runs: readonly TimedRun[]): {
  samples: number[];
  succeeded: number;
  walls: number[];
  failure: BenchFailure | undefined;
} {
  return {
    samples: runs.flatMap((run) => run.samples),
    succeeded: runs.reduce((total, run) => total + run.succeeded, 0),
    walls: runs.map((run) => run.wallMs),
    failure: runs.find((run) => run.failure !== undefined)?.failure,
  };
}

/**
 * The report figures of pooled samples: success rate, median wall time per round, latency statistics,
 * and the first failure when a call failed.
 */
export function toFigures(
  samples: readonly number[],
  succeeded: number,
  walls: readonly number[],
  failure?: BenchFailure,
): RunFigures {
  return {
    calls: samples.length,
    succeeded,
    success_rate: samples.length ? Math.round((succeeded / samples.length) * 10_000) / 10_000 : 0,
    wall_ms: roundMs(median(walls)),
    latency_ms: latencyStats(samples),
    ...(failure ? { first_failure: failure } : {}),
  };
}
