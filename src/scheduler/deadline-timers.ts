import type { Clock } from "../clock.ts";

/** A pending deadline in its queue, linked to its neighbours. */
interface Entry {
  readonly due: number;
  fire: (() => void) | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/**
 * The deadlines of one length on one clock, in the order they fall due (they were set in that order: the
 * clock is monotonic and the length the same), with one clock timer among them, set for the first. Adding
 * and removing a deadline take constant time and touch no runtime timer, except when the queue is empty
 * and no timer is set (one is). A timer is never cleared: with one call at a time, clearing it when the
 * queue empties would set and clear a runtime timer per call. Once the calls end, one timer (unref'd)
 * is left per length; it fires once, for nothing, and is not set again.
 */
class DeadlineQueue {
  private head: Entry | undefined;
  private tail: Entry | undefined;
  private timer: unknown;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
  ) {}

  add(fire: () => void): () => void {
    const entry: Entry = { due: this.clock.now() + this.ms, fire, prev: this.tail, next: undefined };
    if (this.tail) this.tail.next = entry;
    else {
      this.head = entry;
      // A timer still set from an earlier deadline falls due first; it sets itself again for this one.
      this.timer ??= this.clock.setTimeout(this.expire, this.ms);
    }
    this.tail = entry;
    return () => this.remove(entry);
  }

  private remove(entry: Entry): void {
    if (entry.fire === undefined) return;
    entry.fire = undefined;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    // The timer stays set, even with no deadline left: it fires early, or for nothing (see the class).
  }

  /** Fires every deadline due by now, in order, then sets the timer for the next one. */
  private readonly expire = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    for (let entry = this.head; entry !== undefined && entry.due <= now; entry = this.head) {
      const fire = entry.fire;
      this.remove(entry);
      fire?.();
    }
    if (this.head !== undefined && this.timer === undefined)
      this.timer = this.clock.setTimeout(this.expire, Math.max(0, this.head.due - now));
  };
}

const queues = new WeakMap<Clock, Map<number, DeadlineQueue>>();

/**
 * Calls `fire` once, `ms` from now on `clock` (as `clock.setTimeout` would), unless the returned function
 * is called first. Deadlines of one length share one clock timer (see `DeadlineQueue`): with many calls
 * in flight, each call no longer sets and clears a runtime timer of its own.
 */
export function afterDeadline(clock: Clock, ms: number, fire: () => void): () => void {
  let byLength = queues.get(clock);
  if (byLength === undefined) {
    byLength = new Map();
    queues.set(clock, byLength);
  }
  let queue = byLength.get(ms);
  if (queue === undefined) {
    // Lengths are few (each provider's call_timeout_s, the timeout_s callers give): a queue stays once made,
    // unless callers bring many lengths, when the map starts over (queues in use keep their entries).
    if (byLength.size >= MAX_LENGTHS) byLength.clear();
    queue = new DeadlineQueue(clock, ms);
    byLength.set(ms, queue);
  }
  return queue.add(fire);
}

/** Distinct deadline lengths kept per clock before the map of queues starts over. */
const MAX_LENGTHS = 256;
