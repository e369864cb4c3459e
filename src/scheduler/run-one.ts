import type { Clock } from "../clock.ts";
import { TimeoutError } from "../errors.ts";
import type { AbortGroup } from "./abort-group.ts";
import { linkSignals, sleep } from "./deadline.ts";
import { type BatchCall, type Settled, seconds } from "./run-batch.ts";
import type { Release, Semaphore } from "./semaphore.ts";

/** Options of `runOne`; every field says its default. */
export interface RunOneOptions {
  readonly clock: Clock;
  /** Shared by every call that has a key. */
  readonly global: Semaphore;
  /** The per-key permits; undefined = no per-key limit. */
  permitsFor(key: string): Semaphore | undefined;
  /** Any of these cancels the call (the caller went away); default none. */
  readonly signals?: readonly (AbortSignal | undefined)[] | undefined;
  /** Cancels every call it holds at once (the gateway shuts down); default none. */
  readonly group?: AbortGroup;
  /** The caller's own cancellation, as a group rather than a signal (no listener to add); default none. */
  readonly cancel?: AbortGroup | undefined;
}

/**
 * Runs one call the way `runBatch` runs a batch of one (its key's permits, then a global one; its deadline
 * and the signals; retries while `retryDelayMs` says so, holding no permit while it waits), without a
 * batch around it: no batch signal, generator or queue of outcomes. `after` is not supported
 * (a call that depends on others is part of a batch). Never throws for the call's failure.
 */
export async function runOne<R>(call: BatchCall<R>, options: RunOneOptions): Promise<Settled<R>> {
  const { clock } = options;
  const started = clock.now();
  // Rejects the attempt under way with the reason as soon as the call's signal aborts, whatever its work
  // does meanwhile.
  let stop: ((reason: unknown) => void) | undefined;
  const link = linkSignals(
    options.signals ?? NO_SIGNALS,
    {
      clock,
      ms: call.timeoutMs,
      reason: () => new TimeoutError(`The call timed out after ${seconds(call.timeoutMs)}`, call.timeoutMs),
    },
    {
      onAbort: (reason) => stop?.(reason),
      group: options.group,
      groups: options.cancel ? [options.cancel] : undefined,
    },
  );
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
        // Free permits are taken without a turn; an aborted signal is caught below, before the work.
        if (perKey) releaseKey = perKey.tryAcquire() ?? (await perKey.acquire(signal));
        try {
          releaseGlobal = options.global.tryAcquire() ?? (await options.global.acquire(signal));
        } catch (error) {
          releaseKey?.();
          throw error;
        }
      }
      runStart ??= clock.now();
      let failure: unknown;
      try {
        signal.throwIfAborted();
        const value = await new Promise<R>((resolve, reject) => {
          stop = reject;
          call.run(signal).then(resolve, reject);
        });
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

/** No signals to follow (shared: never changed). */
const NO_SIGNALS: readonly AbortSignal[] = [];
