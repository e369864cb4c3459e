import type { Clock } from "../clock.ts";
import type { AbortGroup, GroupMembership } from "./abort-group.ts";
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
 * It runs once per call: one object (`Link`) whose groups call its one function (`end`), a listener per
 * source signal and one for its time limit, no array helpers; the time limit shares a clock timer with the
 * others of its length (see deadline-timers.ts).
 */
export function linkSignals(
  signals: readonly (AbortSignal | undefined)[],
  timeout?: LinkTimeout,
  options?: LinkOptions,
): LinkedSignal {
  return new Link(signals, timeout, options);
}

/** A linked signal (see `linkSignals`). */
class Link implements LinkedSignal {
  private readonly controller = new AbortController();
  private readonly onAbort: ((reason: unknown) => void) | undefined;
  private disposed = false;
  /** What it follows, to untie: made only when there is something (a pass-through call follows groups, not signals). */
  private sources: AbortSignal[] | undefined;
  private listeners: (() => void)[] | undefined;
  private memberships: GroupMembership[] | undefined;
  private stopTimer: (() => void) | undefined;

  constructor(
    signals: readonly (AbortSignal | undefined)[],
    timeout: LinkTimeout | undefined,
    options: LinkOptions | undefined,
  ) {
    this.onAbort = options?.onAbort;
    const group = options?.group;
    const groups = options?.groups;
    // Something aborted already: the link is born aborted, with nothing to untie.
    const early = abortedAlready(signals, group, groups);
    if (early !== undefined) {
      this.disposed = true;
      this.abort(early.reason);
      return;
    }
    for (const source of signals) {
      if (source === undefined || source === NEVER) continue;
      const listener = () => this.end(source.reason);
      source.addEventListener("abort", listener, { once: true });
      this.sources ??= [];
      this.listeners ??= [];
      this.sources.push(source);
      this.listeners.push(listener);
    }
    if (group !== undefined) this.join(group);
    if (groups !== undefined) for (const one of groups) if (one !== undefined) this.join(one);
    if (timeout !== undefined && Number.isFinite(timeout.ms)) {
      const { reason } = timeout;
      this.stopTimer = afterDeadline(timeout.clock, Math.max(0, timeout.ms), () => this.end(reason()));
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    const signal = this.controller.signal;
    if (signal.aborted) return;
    this.controller.abort(reason);
    // The signal's reason: an undefined one became an AbortError.
    this.onAbort?.(signal.reason);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopTimer?.();
    const { sources, listeners, memberships } = this;
    if (sources !== undefined && listeners !== undefined)
      for (let i = 0; i < sources.length; i++) sources[i]!.removeEventListener("abort", listeners[i]!);
    if (memberships !== undefined) for (const membership of memberships) membership.leave();
  }

  private join(group: AbortGroup): void {
    this.memberships ??= [];
    this.memberships.push(group.enter(this.end));
  }

  /** A source, group or the time limit aborted it: untied from the rest, then aborted. */
  private readonly end = (reason: unknown): void => {
    this.dispose();
    this.abort(reason);
  };
}

/** The reason of the first of `signals`, `group` and `groups` that has aborted already, if any. */
function abortedAlready(
  signals: readonly (AbortSignal | undefined)[],
  group: AbortGroup | undefined,
  groups: readonly (AbortGroup | undefined)[] | undefined,
): { reason: unknown } | undefined {
  for (const source of signals) if (source?.aborted) return { reason: source.reason };
  if (group?.aborted) return { reason: group.reason };
  if (groups !== undefined) for (const one of groups) if (one?.aborted) return { reason: one.reason };
  return undefined;
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
