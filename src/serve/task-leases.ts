import type { Clock } from "../clock.ts";

/** How long a relayed task whose provider gave no `ttlMs` keeps its provider up, in ms (1 hour). */
export const TASK_LEASE_DEFAULT_MS = 60 * 60 * 1000;
/** The longest a relayed task keeps its provider up, whatever its `ttlMs`, in ms (24 hours). */
export const TASK_LEASE_CAP_MS = 24 * 60 * 60 * 1000;

/** Task statuses after which a task never changes again. */
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** Whether a task in `status` is over (its provider need not stay up for it). */
export function isTerminal(status: unknown): boolean {
  return typeof status === "string" && TERMINAL.has(status);
}

/**
 * The tasks relayed to clients that are still live, each holding its provider up (a lease: no idle
 * stop) so a client that polls less often than `idle_ttl_s` does not lose its task with the provider.
 * A lease ends when the task is seen terminal (`tasks/get`), cancelled (`tasks/cancel`) or unknown to
 * its provider, or when its time runs out: the task's `ttlMs` (the provider forgets it then), else
 * `TASK_LEASE_DEFAULT_MS`, never past `TASK_LEASE_CAP_MS`.
 */
export class TaskLeases {
  private readonly live = new Map<string, { release(): void; timer: unknown }>();

  constructor(private readonly clock: Clock) {}

  /** Task `key` (provider and upstream id) is live: `release` ends its hold, at the latest after its time. */
  hold(key: string, release: () => void, ttlMs: unknown): void {
    this.end(key);
    const ms =
      typeof ttlMs === "number" && Number.isFinite(ttlMs) && ttlMs >= 0
        ? Math.min(ttlMs, TASK_LEASE_CAP_MS)
        : TASK_LEASE_DEFAULT_MS;
    const entry = { release, timer: undefined as unknown };
    entry.timer = this.clock.setTimeout(() => {
      if (this.live.get(key) === entry) this.end(key);
    }, ms);
    this.live.set(key, entry);
  }

  /** Task `key` is over (or gone): its provider may idle again. */
  end(key: string): void {
    const entry = this.live.get(key);
    if (entry === undefined) return;
    this.live.delete(key);
    this.clock.clearTimeout(entry.timer);
    entry.release();
  }

  /** Tasks holding their provider now. */
  get size(): number {
    return this.live.size;
  }
}
