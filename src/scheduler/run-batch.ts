import type { Clock } from "../clock.ts";
import { CancelledError, TimeoutError } from "../errors.ts";
import { deadline, linkSignals, raceSignal } from "./deadline.ts";
import type { Release, Semaphore } from "./semaphore.ts";

/** One unit of work of a batch. */
export interface BatchCall<R> {
  /** Whose permits it needs (a provider id); undefined = it needs none (it fails without running). */
  readonly key: string | undefined;
  /** Its deadline, counted from the start of the batch; Infinity = none. */
  readonly timeoutMs: number;
  /** Does the work once the permits are held; `signal` aborts on timeout, cancellation or fail_fast. */
  run(signal: AbortSignal): Promise<R>;
}

/** How a call ended. */
export interface Settled<R> {
  readonly index: number;
  /** Present when `run` resolved. */
  readonly value?: R;
  /** Present when `run` threw (or never ran): the thrown value or the abort reason. */
  readonly error?: unknown;
  /** Time from getting its permits to settling (from the batch start if it never got them), in ms. */
  readonly elapsedMs: number;
}

/** Options of `runBatch`; every field says its default. */
export interface RunBatchOptions<R> {
  readonly clock: Clock;
  /** Shared by every call that has a key. */
  readonly global: Semaphore;
  /** The per-key permits; undefined = no per-key limit. */
  permitsFor(key: string): Semaphore | undefined;
  /** Any of these cancels the whole batch (the caller went away, the gateway shuts down); default none. */
  readonly signals?: readonly AbortSignal[];
  /** Deadline of the whole batch in ms; default Infinity. */
  readonly batchTimeoutMs?: number;
  /** When a call fails, cancel every call still running or waiting (default false). */
  readonly failFast?: boolean;
  /** Whether a resolved value counts as a failure for fail_fast (default: never). */
  readonly isFailure?: (value: R) => boolean;
}

/**
 * Runs a batch with a global and a per-key concurrency limit (FIFO), yielding each call as it settles.
 * Every call is bounded by its own deadline, the batch deadline and the batch signal; leaving the loop
 * early cancels whatever is still running. Never throws for a call's failure: it is yielded as `error`.
 */
export async function* runBatch<R>(
  calls: readonly BatchCall<R>[],
  options: RunBatchOptions<R>,
): AsyncGenerator<Settled<R>> {
  const { clock } = options;
  const started = clock.now();
  const stop = new AbortController();
  const batchDeadline = deadline(
    clock,
    options.batchTimeoutMs ?? Number.POSITIVE_INFINITY,
    () => new TimeoutError(`The batch timed out after ${seconds(options.batchTimeoutMs!)}`),
  );
  const batch = linkSignals([...(options.signals ?? []), batchDeadline.signal, stop.signal]);
  const batchSignal = batch.signal;

  const ready: Settled<R>[] = [];
  let wake: (() => void) | undefined;
  const settle = (settled: Settled<R>) => {
    ready.push(settled);
    if (
      options.failFast &&
      (settled.error !== undefined || (settled.value !== undefined && options.isFailure?.(settled.value)))
    ) {
      if (!stop.signal.aborted)
        stop.abort(new CancelledError("Cancelled because another call of the batch failed (fail_fast)"));
    }
    wake?.();
  };

  const runOne = async (call: BatchCall<R>, index: number): Promise<void> => {
    const own = deadline(
      clock,
      call.timeoutMs,
      () => new TimeoutError(`The call timed out after ${seconds(call.timeoutMs)}`),
    );
    const link = linkSignals([batchSignal, own.signal]);
    const signal = link.signal;
    const releases: Release[] = [];
    let runStart = started;
    try {
      if (call.key !== undefined) {
        const perKey = options.permitsFor(call.key);
        if (perKey) releases.push(await perKey.acquire(signal));
        releases.push(await options.global.acquire(signal));
      }
      runStart = clock.now();
      signal.throwIfAborted();
      const value = await raceSignal(call.run(signal), signal);
      settle({ index, value, elapsedMs: clock.now() - runStart });
    } catch (error) {
      settle({ index, error, elapsedMs: clock.now() - runStart });
    } finally {
      own.clear();
      link.dispose();
      for (const release of releases.reverse()) release();
    }
  };

  calls.forEach((call, index) => void runOne(call, index));
  let yielded = 0;
  try {
    while (yielded < calls.length) {
      if (ready.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      while (ready.length > 0) {
        yielded++;
        yield ready.shift()!;
      }
    }
  } finally {
    batchDeadline.clear();
    if (yielded < calls.length && !stop.signal.aborted) stop.abort(new CancelledError("The batch was abandoned"));
    batch.dispose();
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
