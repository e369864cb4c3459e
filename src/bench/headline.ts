/**
 * The product brief's three headline scenarios, on the picked targets: 15 tools over 2 providers one
 * after another vs one batch, 50 requests one after another vs all at once, and a cold start (the
 * providers stopped) with one batch vs one call after another. Printed as one table by `hangar bench
 * --headline`.
 */
import type { Hangar } from "../lib/hangar.ts";
import type { BenchFailure, BenchTarget } from "./report.ts";
import { roundMs } from "./stats.ts";
import { spread, type TimedRun, timedBatch, timedSequence } from "./timed-calls.ts";

/** One row of the headline table: the same calls the slow way and through hangar's batching. */
export interface HeadlineRow {
  readonly scenario: string;
  readonly calls: number;
  /** Wall time of the calls one after another (each a batch of one), ms. */
  readonly sequential_ms: number;
  /** Wall time of the calls as hangar runs them (one batch, or concurrent requests), ms. */
  readonly hangar_ms: number;
  /** Sequential / hangar wall time; null when a call failed (the time of failures measures nothing). */
  readonly speedup: number | null;
  /** Calls of both runs that succeeded, 0–1. */
  readonly success_rate: number;
  /** The first call that failed, when one did. */
  readonly first_failure?: BenchFailure;
  /** Provider starts during the hangar run (the cold start row; 1 per provider is right). */
  readonly starts?: number;
}

/** Sizes of the scenarios; every field says its default (the brief's). */
export interface HeadlineSizes {
  /** Calls of the "tools over 2 providers" and cold start rows (default 15). */
  readonly tools?: number;
  /** Requests of the concurrent row (default 50). */
  readonly requests?: number;
}

/** Runs the three scenarios, warm providers first, the cold start last; the caller closes the Hangar. */
export async function headline(
  hangar: Hangar,
  targets: readonly BenchTarget[],
  signal: AbortSignal,
  sizes: HeadlineSizes = {},
): Promise<HeadlineRow[]> {
  const two = targets.slice(0, 2);
  const tools = spread(two, sizes.tools ?? 15);
  const requests = spread(targets, sizes.requests ?? 50);
  const providers = new Set(two.map((t) => t.provider));
  const handles = [...providers].map((id) => hangar.gateway.handles.get(id)!);

  const fanOut = row(
    `${tools.length} tools, ${providers.size} provider${providers.size === 1 ? "" : "s"}`,
    await timedSequence(hangar, tools, signal),
    await timedBatch(hangar, tools, signal),
  );
  const concurrent = row(
    `${requests.length} concurrent requests`,
    await timedSequence(hangar, requests, signal),
    await concurrently(hangar, requests, signal),
  );
  await Promise.all(handles.map((handle) => handle.stop()));
  const coldSequential = await timedSequence(hangar, tools, signal);
  await Promise.all(handles.map((handle) => handle.stop()));
  const startsBefore = handles.reduce((sum, handle) => sum + handle.stats.starts, 0);
  const coldBatch = await timedBatch(hangar, tools, signal);
  const starts = handles.reduce((sum, handle) => sum + handle.stats.starts, 0) - startsBefore;
  const cold = { ...row("cold start + batch", coldSequential, coldBatch), starts };
  return [fanOut, concurrent, cold];
}

/** Each call its own request (a batch of one), all sent at once. */
async function concurrently(hangar: Hangar, calls: readonly BenchTarget[], signal: AbortSignal): Promise<TimedRun> {
  const started = performance.now();
  const runs = await Promise.all(calls.map((call) => timedBatch(hangar, [call], signal)));
  return {
    samples: runs.flatMap((run) => run.samples),
    succeeded: runs.reduce((sum, run) => sum + run.succeeded, 0),
    wallMs: performance.now() - started,
    failure: runs.find((run) => run.failure !== undefined)?.failure,
  };
}

/** One row from the two runs of a scenario; its speedup only when every call of both succeeded. */
function row(scenario: string, sequential: TimedRun, hangar: TimedRun): HeadlineRow {
  const calls = sequential.samples.length;
  const succeeded = sequential.succeeded + hangar.succeeded;
  const failure = sequential.failure ?? hangar.failure;
  return {
    scenario,
    calls,
    sequential_ms: roundMs(sequential.wallMs),
    hangar_ms: roundMs(hangar.wallMs),
    speedup:
      succeeded < 2 * calls ? null : hangar.wallMs > 0 ? Math.round((sequential.wallMs / hangar.wallMs) * 10) / 10 : 0,
    success_rate: calls ? Math.round((succeeded / (2 * calls)) * 10_000) / 10_000 : 0,
    ...(failure ? { first_failure: failure } : {}),
  };
}
