/**
 * The gateway scenarios of `hangar bench`: fan-out (the same calls one after another, then as one
 * batch), cold start (concurrent callers to a stopped provider) and concurrent clients.
 */
import type { Hangar } from "../lib/hangar.ts";
import type { BenchFailure, BenchReport, BenchTarget } from "./report.ts";
import { median, roundMs } from "./stats.ts";
import { merge, spread, type TimedRun, timedBatch, timedSequence, toFigures } from "./timed-calls.ts";

/** Reports how far a scenario is: `done` of `total` steps. */
export type ProgressListener = (scenario: string, done: number, total: number) => void;

/** What every scenario needs. */
export interface ScenarioContext {
  /** The library's Hangar the calls go through; its gateway owns the providers. */
  readonly hangar: Hangar;
  readonly targets: readonly BenchTarget[];
  readonly calls: number;
  readonly rounds: number;
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly progress: ProgressListener;
}

/** The same `calls` calls, sequential then parallel, `rounds` times; speedup = median wall ratio. */
export async function fanOut(context: ScenarioContext): Promise<BenchReport["fan_out"]> {
  const { hangar, targets, calls, rounds, signal, progress } = context;
  const batch = spread(targets, calls);
  const sequential: TimedRun[] = [];
  const parallel: TimedRun[] = [];
  const steps = rounds * (calls + 1);
  for (let round = 0; round < rounds; round++) {
    const base = round * (calls + 1);
    sequential.push(await timedSequence(hangar, batch, signal, (done) => progress("fan-out", base + done, steps)));
    parallel.push(await timedBatch(hangar, batch, signal));
    progress("fan-out", base + calls + 1, steps);
  }
  const s = merge(sequential);
  const p = merge(parallel);
  // Failures answer fast, so their ratio says nothing of the workload: no speedup unless every call succeeded.
  const allOk = s.succeeded === s.samples.length && p.succeeded === p.samples.length;
  const speedup = median(p.walls) > 0 ? median(s.walls) / median(p.walls) : 0;
  return {
    sequential: toFigures(s.samples, s.succeeded, s.walls, s.failure),
    parallel: toFigures(p.samples, p.succeeded, p.walls, p.failure),
    speedup: allOk ? Math.round(speedup * 100) / 100 : null,
  };
}

/** Stops the first target's provider, then sends `concurrency` calls to it at once, each its own batch. */
export async function coldStart(context: ScenarioContext): Promise<BenchReport["cold_start"]> {
  const { hangar, targets, concurrency, signal, progress } = context;
  const target = targets[0]!;
  const handle = hangar.gateway.handles.get(target.provider)!;
  await handle.stop();
  const startsBefore = handle.stats.starts;
  const started = performance.now();
  let done = 0;
  const runs = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const run = await timedBatch(hangar, [target], signal);
      progress("cold start", ++done, concurrency);
      return run;
    }),
  );
  const wall = performance.now() - started;
  const merged = merge(runs);
  return {
    provider: target.provider,
    callers: concurrency,
    starts: handle.stats.starts - startsBefore,
    ...toFigures(merged.samples, merged.succeeded, [wall], merged.failure),
  };
}

/** `concurrency` clients each send a batch of `calls` calls at the same time, `rounds` times. */
export async function concurrentClients(context: ScenarioContext): Promise<BenchReport["concurrent_clients"]> {
  const { hangar, targets, calls, rounds, concurrency, signal, progress } = context;
  const batch = spread(targets, calls);
  const samples: number[] = [];
  const walls: number[] = [];
  let succeeded = 0;
  let failure: BenchFailure | undefined;
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const runs = await Promise.all(Array.from({ length: concurrency }, () => timedBatch(hangar, batch, signal)));
    walls.push(performance.now() - started);
    const merged = merge(runs);
    samples.push(...merged.samples);
    succeeded += merged.succeeded;
    failure ??= merged.failure;
    progress("concurrent clients", round + 1, rounds);
  }
  const wall = median(walls);
  return {
    clients: concurrency,
    calls_per_client: calls,
    // Only when every call succeeded: how fast failures come back is no throughput.
    calls_per_s: succeeded < samples.length ? null : wall > 0 ? roundMs((calls * concurrency * 1000) / wall) : 0,
    ...toFigures(samples, succeeded, walls, failure),
  };
}
