import type { Clock } from "../clock.ts";
import { CancelledError, TimeoutError } from "../errors.ts";
import { findCycle } from "./call-graph.ts";
import { linkSignals, sleep } from "./deadline.ts";
import { afterDeadline } from "./deadline-timers.ts";
import { type Release, Semaphore } from "./semaphore.ts";

/** One unit of work of a batch. */
export interface BatchCall<R> {
  /** Whose permits it needs (a provider id); undefined = it needs none (it fails without running). */
  readonly key: string | undefined;
  /** Its deadline, counted from the start of the batch (waiting for `after` included); Infinity = none. */
  readonly timeoutMs: number;
  /** Indices of the calls whose outcomes it needs: it waits, holding no permit, until they settle (default none). */
  readonly after?: readonly number[];
  /**
   * Told the outcomes of `after` (in that order) once they settled, before any permit is taken; throwing
   * settles the call with that error without running it (default: nothing to do).
   */
  prepare?(inputs: readonly Settled<R>[]): void;
  /** Does the work once the permits are held; `signal` aborts on timeout, cancellation or fail_fast. */
  run(signal: AbortSignal): Promise<R>;
  /**
   * After `run` threw `error`: how long to wait before running it again, or undefined to settle with the
   * error (default: never retry). The wait holds no permit, and the deadline keeps counting.
   */
  retryDelayMs?(error: unknown): number | undefined;
}

/** How a call ended. */
export interface Settled<R> {
  readonly index: number;
  /** Present when `run` resolved. */
  readonly value?: R;
  /** Present when `run` threw (or never ran): the thrown value or the abort reason. */
  readonly error?: unknown;
  /** Time from first getting its permits to settling (from the batch start if it never got them), in ms. */
  readonly elapsedMs: number;
}

/** Options of `runBatch`; every field says its default. */
export interface RunBatchOptions<R> {
  readonly clock: Clock;
  /** Shared by every call that has a key. */
  readonly global: Semaphore;
  /** Calls of this batch running at once (the batch's own `max_concurrency`); default: no limit of its own. */
  readonly maxConcurrency?: number;
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
 * Runs a batch under three concurrency limits (FIFO), yielding each call as it settles. A call takes the
 * batch's permit, then its key's (provider's), then a global one, so a call waiting in line never holds
 * a permit another batch or provider could use; it gives them all back before waiting to retry.
 * Every call is bounded by its own deadline, the batch deadline and the batch signal; leaving the loop
 * early cancels whatever is still running. A call with `after` starts once those calls settled (a graph:
 * independent calls at once); `after` must hold no cycle (a RangeError, before anything runs). Never
 * throws for a call's failure: it is yielded as `error`.
 */
export async function* runBatch<R>(
  calls: readonly BatchCall<R>[],
  options: RunBatchOptions<R>,
): AsyncGenerator<Settled<R>> {
  const { clock } = options;
  const graph = calls.some((call) => call.after?.length);
  if (graph) {
    const cycle = findCycle(calls.map((call) => call.after ?? []));
    if (cycle) throw new RangeError(`The calls ${cycle.join(" → ")} of the batch wait for each other`);
  }
  const started = clock.now();
  const batchPermits =
    options.maxConcurrency === undefined
      ? undefined
      : new Semaphore(options.maxConcurrency, Number.POSITIVE_INFINITY, "the batch");
  // Aborted by the batch's signals, its deadline, fail_fast, or a consumer that left early.
  const batch = linkSignals(options.signals ?? [], {
    clock,
    ms: options.batchTimeoutMs ?? Number.POSITIVE_INFINITY,
    reason: () =>
      new TimeoutError(`The batch timed out after ${seconds(options.batchTimeoutMs!)}`, options.batchTimeoutMs),
  });
  // What aborts each call still running, by index: the batch aborts them in call order through one
  // listener on its signal, not one listener per call (adding and removing listeners on one signal costs
  // in proportion to those it has).
  const running: (((reason: unknown) => void) | undefined)[] = new Array(calls.length);
  const onBatchAbort = () => {
    for (const abort of running) abort?.(batch.signal.reason);
  };
  batch.signal.addEventListener("abort", onBatchAbort, { once: true });
  // What takes each call's deadline out again, by index, while it is set. The calls join at the batch's
  // start, so those of one timeout fall due together and share one clock timer (deadline-timers.ts).
  const deadlines: ((() => void) | undefined)[] = new Array(calls.length);

  const ready: Settled<R>[] = [];
  let wake: (() => void) | undefined;
  /** Each call's outcome once it settled, and (in a graph) a promise that resolves then, for the calls waiting on it. */
  const outcomes: (Settled<R> | undefined)[] = new Array(calls.length);
  const settledSignals = graph ? calls.map(() => Promise.withResolvers<void>()) : undefined;
  const settle = (settled: Settled<R>) => {
    outcomes[settled.index] = settled;
    settledSignals?.[settled.index]?.resolve();
    ready.push(settled);
    if (
      options.failFast &&
      (settled.error !== undefined || (settled.value !== undefined && options.isFailure?.(settled.value)))
    ) {
      batch.abort(new CancelledError("Cancelled because another call of the batch failed (fail_fast)"));
    }
    wake?.();
  };

  /** The permits a call needs, in the order it takes them. */
  const permitsOf = (call: BatchCall<R>): Semaphore[] => {
    if (call.key === undefined) return [];
    const perKey = options.permitsFor(call.key);
    const permits: Semaphore[] = [];
    if (batchPermits) permits.push(batchPermits);
    if (perKey) permits.push(perKey);
    permits.push(options.global);
    return permits;
  };

  const runOne = async (call: BatchCall<R>, index: number): Promise<void> => {
    // The call's own signal, aborted by the batch (through `running`) or its deadline, and untied from
    // both once it settles; `stopped` rejects with the reason then, whatever its work does meanwhile.
    const controller = new AbortController();
    const signal = controller.signal;
    let stop: (reason: unknown) => void = () => {};
    const stopped = new Promise<never>((_, reject) => (stop = reject));
    stopped.catch(() => {});
    const abort = (reason: unknown) => {
      if (signal.aborted) return;
      controller.abort(reason);
      stop(reason);
    };
    if (batch.signal.aborted) abort(batch.signal.reason);
    else {
      running[index] = abort;
      const ms = call.timeoutMs;
      if (Number.isFinite(ms))
        deadlines[index] = afterDeadline(clock, Math.max(0, ms), () => {
          if (!signal.aborted) abort(new TimeoutError(`The call timed out after ${seconds(ms)}`, ms));
        });
    }
    const permits = permitsOf(call);
    let runStart: number | undefined;
    try {
      if (call.after?.length) {
        signal.throwIfAborted();
        await Promise.race([Promise.all(call.after.map((i) => settledSignals![i]!.promise)), stopped]);
        call.prepare?.(call.after.map((i) => outcomes[i]!));
      } else call.prepare?.([]);
      for (;;) {
        const releases = await acquireAll(permits, signal);
        runStart ??= clock.now();
        let failure: unknown;
        try {
          signal.throwIfAborted();
          const value = await Promise.race([call.run(signal), stopped]);
          settle({ index, value, elapsedMs: clock.now() - runStart });
          return;
        } catch (error) {
          failure = error;
        } finally {
          for (let i = releases.length - 1; i >= 0; i--) releases[i]!();
        }
        const delayMs = signal.aborted ? undefined : call.retryDelayMs?.(failure);
        if (delayMs === undefined) throw failure;
        await sleep(clock, delayMs, signal);
      }
    } catch (error) {
      settle({ index, error, elapsedMs: clock.now() - (runStart ?? started) });
    } finally {
      running[index] = undefined;
      const leave = deadlines[index];
      if (leave !== undefined) {
        deadlines[index] = undefined;
        leave();
      }
    }
  };

  for (let index = 0; index < calls.length; index++) void runOne(calls[index]!, index);
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
    if (yielded < calls.length) {
      batch.abort(new CancelledError("The batch was abandoned"));
      // The calls just aborted would take their deadlines out a few turns from now: do it at once.
      for (let index = 0; index < deadlines.length; index++) {
        const leave = deadlines[index];
        deadlines[index] = undefined;
        leave?.();
      }
    }
    batch.signal.removeEventListener("abort", onBatchAbort);
    batch.dispose();
  }
}

/** Takes every permit in order; on failure gives back those already taken. */
async function acquireAll(permits: readonly Semaphore[], signal: AbortSignal): Promise<Release[]> {
  const releases: Release[] = [];
  try {
    for (const permit of permits) releases.push(await permit.acquire(signal));
    return releases;
  } catch (error) {
    for (const release of releases.reverse()) release();
    throw error;
  }
}

/** `ms` as seconds for a message, e.g. "1.5 s". */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
