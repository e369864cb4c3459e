/** The seam through which Hangar reads time and sets timers, so tests can run on a fake clock. */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  /** Calls `fn` once after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set by `setTimeout`; unknown handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/** The real clock: `performance.now()` and the runtime's timers (unref'd, so they never keep hangar alive). */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
