import type { Clock } from "../clock.ts";
import type { AbortGroup } from "./abort-group.ts";
import { afterDeadline } from "./deadline-timers.ts";

/** An AbortSignal that aborts with `reason()` after `ms` on `clock`, plus a way to drop its timer. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer (the signal then never aborts by itself). */
  clear(): void;
}

/** The signal of a deadline that never fires: one for the process, since nothing can abort it. */
const NEVER = new AbortController().signal;

/** Creates a deadline `ms` from now; `Infinity` never fires. */
export function deadline(clock: Clock, ms: number, reason: () => Error): Deadline {
  if (!Number.isFinite(ms)) return { signal: NEVER, clear: () => {} };
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(reason()), Math.max(0, ms));
  return { signal: controller.signal, clear: () => clock.clearTimeout(timer) };
}

/** A signal tied to others, and the way to untie it. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Removes its listeners from the source signals and drops its timer; call it once the work is done. */
  dispose(): void;
  /** Aborts this signal (not its sources) with `reason`, unless it already aborted. */
  abort(reason: unknown): void;
}

/** A time limit of a linked signal: it aborts with `reason()` `ms` from now on `clock` (`Infinity`: never). */
export interface LinkTimeout {
  readonly clock: Clock;
  readonly ms: number;
  readonly reason: () => Error;
}

/** More of what a linked signal follows; every field says its default. */
export interface LinkOptions {
  /** A group whose abort aborts the link too, without a listener on any signal (default none). */
  readonly group?: AbortGroup | undefined;
  /** More such groups (the caller's own cancellation, say); undefined entries are skipped (default none). */
  readonly groups?: readonly (AbortGroup | undefined)[] | undefined;
  /** Told the reason, synchronously, when the link aborts for any cause (default nothing). */
  readonly onAbort?: ((reason: unknown) => void) | undefined;
}

/**
 * A signal that aborts when any of `signals` does, with that signal's reason, or when `timeout` (if any)
 * runs out, or a group of `options` aborts: one controller for what would be a deadline's signal linked
 * to others. Unlike `AbortSignal.any`, it can be untied: Bun keeps every `AbortSignal.any` result alive as
 * long as its sources live, so deriving per-call signals from the gateway's lifelong shutdown signal that
 * way leaks memory per call. A source that can never abort (a deadline of `Infinity`) gets no listener.
 * It runs once per call: no array helpers or per-source objects beyond one listener each, and its time
 * limit shares a clock timer with the others of its length (see deadline-timers.ts).
 */
export function linkSignals(
  signals: readonly (AbortSignal | undefined)[],
  timeout?: LinkTimeout,
  options?: LinkOptions,
): LinkedSignal {
  const controller = new AbortController();
  const onAbort = options?.onAbort;
  const abort = (reason: unknown) => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    // The signal's reason: an undefined one became an AbortError.
    onAbort?.(controller.signal.reason);
  };
  const group = options?.group;
  const groups = options?.groups;
  // Something aborted already: the link is born aborted, with nothing to untie.
  let early: { reason: unknown } | undefined;
  for (const source of signals)
    if (source?.aborted) {
      early = { reason: source.reason };
      break;
    }
  if (early === undefined && group?.aborted) early = { reason: group.reason };
  if (early === undefined && groups !== undefined)
    for (const one of groups)
      if (one?.aborted) {
        early = { reason: one.reason };
        break;
      }
  if (early !== undefined) {
    abort(early.reason);
    return { signal: controller.signal, dispose: () => {}, abort };
  }
  let disposed = false;
  let stopTimer: (() => void) | undefined;
  // Made only when there is something to follow (a pass-through call follows groups, not signals).
  let sources: AbortSignal[] | undefined;
  let listeners: (() => void)[] | undefined;
  let leaveGroup: (() => void) | undefined;
  let leaves: (() => void)[] | undefined;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    stopTimer?.();
    if (sources !== undefined)
      for (let i = 0; i < sources.length; i++) sources[i]!.removeEventListener("abort", listeners![i]!);
    leaveGroup?.();
    if (leaves !== undefined) for (const leave of leaves) leave();
  };
  const end = (reason: unknown) => {
    dispose();
    abort(reason);
  };
  for (const source of signals) {
    if (source === undefined || source === NEVER) continue;
    const listener = () => end(source.reason);
    source.addEventListener("abort", listener, { once: true });
    if (sources === undefined || listeners === undefined) {
      sources = [];
      listeners = [];
    }
    sources.push(source);
    listeners.push(listener);
  }
  if (group !== undefined) leaveGroup = group.add(end);
  if (groups !== undefined)
    for (const one of groups) {
      if (one === undefined) continue;
      leaves ??= [];
      leaves.push(one.add(end));
    }
  if (timeout !== undefined && Number.isFinite(timeout.ms))
    stopTimer = afterDeadline(timeout.clock, Math.max(0, timeout.ms), () => end(timeout.reason()));
  return { signal: controller.signal, dispose, abort };
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

/** Waits `ms` on `clock`, or rejects with the signal's reason when it aborts first. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  const timer = deadline(clock, ms, () => new Error("slept"));
  return raceSignal(
    new Promise<void>((resolve) => timer.signal.addEventListener("abort", () => resolve(), { once: true })),
    signal,
  ).finally(() => timer.clear());
}
