/** Options of `SharedStart`. */
export interface SharedStartOptions {
  /** The reason the start is aborted with when its last waiter leaves. */
  abandoned(): Error;
  /** Told once when the start is aborted, abandoned or not (default nothing). */
  onAbort?(): void;
}

/**
 * One start shared by every caller that needs it (single flight), and abandoned as soon as none of them
 * waits for it any more: a caller that leaves (its signal aborts) stops waiting at once, and when the
 * last one leaves the start itself is aborted, so its process can be killed instead of being waited for.
 */
export class SharedStart<T> {
  /** The start's own outcome. */
  readonly promise: Promise<T>;
  private readonly controller = new AbortController();
  private waiters = 0;
  private settled = false;

  /** Runs `work` with a signal that aborts when the start is abandoned or `abort`ed. */
  constructor(
    work: (signal: AbortSignal) => Promise<T>,
    private readonly options: SharedStartOptions,
  ) {
    this.promise = work(this.controller.signal);
    void this.promise.then(
      () => (this.settled = true),
      () => (this.settled = true),
    );
  }

  /** Whether the start has been abandoned or aborted. */
  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Waits for the start until `signal` aborts (then rejects with its reason); the last to leave abandons it. */
  join(signal: AbortSignal): Promise<T> {
    if (signal.aborted) {
      if (this.waiters === 0) this.abort(this.options.abandoned());
      return Promise.reject(signal.reason);
    }
    this.waiters++;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        signal.removeEventListener("abort", onAbort);
        this.waiters--;
      };
      const onAbort = () => {
        if (left) return;
        leave();
        if (this.waiters === 0) this.abort(this.options.abandoned());
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.promise.then(
        (value) => {
          leave();
          resolve(value);
        },
        (error: unknown) => {
          leave();
          reject(error);
        },
      );
    });
  }

  /** Aborts the start (if it is still running) with `reason`, whoever waits for it. */
  abort(reason: Error): void {
    if (this.settled || this.controller.signal.aborted) return;
    this.controller.abort(reason);
    this.options.onAbort?.();
  }
}
