import type { Clock } from "../clock.ts";

/** An AbortSignal that aborts with `reason()` after `ms` on `clock`, plus a way to drop its timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer (the signal then never aborts by itself). */
  clear(): void;
}

/** Creates a deadline `ms` from now; `Infinity` never fires. */
export function deadline(clock: Clock, ms: number, reason: () => Error): Deadline {
  const controller = new AbortController();
  if (!Number.isFinite(ms)) return { signal: controller.signal, clear: () => {} };
  const timer = clock.setTimeout(() => controller.abort(reason()), Math.max(0, ms));
  return { signal: controller.signal, clear: () => clock.clearTimeout(timer) };
}

/** A signal that aborts when any of `signals` does, with that signal's reason. */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 1) return present[0]!;
  return AbortSignal.any(present);
}

/** Waits for `promise`, but rejects with the signal's reason as soon as it aborts (the work itself is not stopped here). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
