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
    readonly capacity: number,
    private readonly maxQueue = Number.POSITIVE_INFINITY,
    private readonly name = "semaphore",
  ) {}

  /** Permits in use. */
  get inUse(): number {
    return this.active;
  }

  /** Waiters in the queue. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Takes a permit, waiting in line for one; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.capacity && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
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
      const next = this.waiters.shift();
      if (next) next.grant(this.releaser());
      else this.active--;
    };
  }
}
