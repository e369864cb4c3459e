import type { Clock } from "../clock.ts";
import { TimeoutError } from "../errors.ts";
import { linkSignals, raceSignal, sleep } from "./deadline.ts";
import { type BatchCall, type Settled, seconds } from "./run-batch.ts";
import type { Release, Semaphore } from "./semaphore.ts";

/** Options of `runOne`; every field says its default. */
export interface RunOneOptions {
  readonly clock: Clock;
  /** Shared by every call that has a key. */
  readonly global: Semaphore;
  /** The per-key permits; undefined = no per-key limit. */
  permitsFor(key: string): Semaphore | undefined;
  /** Any of these cancels the call (the caller went away, the gateway shuts down); default none. */
  readonly signals?: readonly (AbortSignal | undefined)[];
}

/**
 * Runs one call the way `runBatch` runs a batch of one (its key's permits, then a global one; its deadline
 * and the signals; retries while `retryDelayMs` says so, holding no permit while it waits), without a
 * batch around it: no batch signal, generator or queue of outcomes. `after`/`prepare` are not supported
 * (a call that depends on others is part of a batch). Never throws for the call's failure.
 */
export async function runOne<R>(call: BatchCall<R>, options: RunOneOptions): Promise<Settled<R>> {
  const { clock } = options;
  const started = clock.now();
  const link = linkSignals(options.signals ?? [], {
    clock,
    ms: call.timeoutMs,
    reason: () => new TimeoutError(`The call timed out after ${seconds(call.timeoutMs)}`, call.timeoutMs),
  });
  const signal = link.signal;
  let runStart: number | undefined;
  try {
    call.prepare?.([]);
    const perKey = call.key === undefined ? undefined : options.permitsFor(call.key);
    for (;;) {
      // The permits in runBatch's order: the key's, then the global one.
      let releaseKey: Release | undefined;
      let releaseGlobal: Release | undefined;
      if (call.key !== undefined) {
        if (perKey) releaseKey = await perKey.acquire(signal);
        try {
          releaseGlobal = await options.global.acquire(signal);
        } catch (error) {
          releaseKey?.();
          throw error;
        }
      }
      runStart ??= clock.now();
      let failure: unknown;
      try {
        signal.throwIfAborted();
        const value = await raceSignal(call.run(signal), signal);
        return { index: 0, value, elapsedMs: clock.now() - runStart };
      } catch (error) {
        failure = error;
      } finally {
        releaseGlobal?.();
        releaseKey?.();
      }
      const delayMs = signal.aborted ? undefined : call.retryDelayMs?.(failure);
      if (delayMs === undefined) throw failure;
      await sleep(clock, delayMs, signal);
    }
  } catch (error) {
    return { index: 0, error, elapsedMs: clock.now() - (runStart ?? started) };
  } finally {
    link.dispose();
  }
}
