import { CallError } from "../errors.ts";

/** Gives back a permit taken from a `Semaphore`; calling it twice is harmless. */
export type Release = () => void;

interface Waiter {
  grant(release: Release): void;
  reject(reason: unknown): void;
}

/** Counts permits with a FIFO queue of waiters; a waiter whose signal aborts leaves the queue. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Waiter[] = [];

  /**
   * `capacity`: permits available at once (≥ 1).
   * `maxQueue`: waiters allowed in the queue (default unbounded); past it `acquire` fails with `overloaded`.
   */
  constructor(
    private limit: number,
    private maxQueue = Number.POSITIVE_INFINITY,
    private readonly name = "semaphore",
  ) {}

  /** Permits available at once. */
  get capacity(): number {
    return this.limit;
  }

  /**
   * Changes the limits in place (a config reload): a larger capacity lets waiters in at once; a smaller
   * one takes effect as permits come back (none is taken from a holder). Waiters past a smaller queue
   * cap keep their place; only new ones are refused.
   */
  resize(capacity: number, maxQueue = this.maxQueue): void {
    this.limit = capacity;
    this.maxQueue = maxQueue;
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()!.grant(this.releaser());
    }
  }

  /** Permits in use. */
  get inUse(): number {
    return this.active;
  }

  /** Waiters in the queue. */
  get queued(): number {
    return this.waiters.length;
  }

  /** A permit now, when one is free and nobody waits (taking no promise or turn); else undefined. */
  tryAcquire(): Release | undefined {
    if (this.active >= this.limit || this.waiters.length > 0) return undefined;
    this.active++;
    return this.releaser();
  }

  /** Takes a permit, waiting in line for one; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const free = this.tryAcquire();
    if (free !== undefined) return Promise.resolve(free);
    if (this.waiters.length >= this.maxQueue) {
      return Promise.reject(
        new CallError("overloaded", `Too many calls are waiting for ${this.name}; try again later`, true),
      );
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        reject,
      };
      const onAbort = () => {
        const at = this.waiters.indexOf(waiter);
        if (at !== -1) this.waiters.splice(at, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.active <= this.limit ? this.waiters.shift() : undefined;
      if (next) next.grant(this.releaser());
      else this.active--;
    };
  }
}
