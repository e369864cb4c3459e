import type { Clock } from "../clock.ts";

/** Calls sharing one deadline: the same timeout, counted from the same start. */
interface Lane {
  readonly timer: unknown;
  /** What aborts each member still running, by member number (undefined once it left). */
  readonly members: (((reason: unknown) => void) | undefined)[];
  live: number;
}

/**
 * The deadlines of a batch's calls, which all count from the batch's start: calls with the same timeout
 * share one timer (a 50-call batch has one or a few, not 50 set and cleared), which aborts each member
 * still running with a reason of its own. A member that leaves is never aborted by it; the timer is
 * dropped once its last member left, or by `clear`.
 */
export class CallDeadlines {
  private readonly lanes = new Map<number, Lane>();

  constructor(private readonly clock: Clock) {}

  /**
   * Aborts `abort` with `reason()` `ms` after the first join of `ms` (Infinity: never); returns the
   * function that takes it out again (call it once the call settled).
   */
  join(ms: number, abort: (reason: unknown) => void, reason: () => Error): () => void {
    if (!Number.isFinite(ms)) return noop;
    let lane = this.lanes.get(ms);
    if (lane === undefined) {
      const members: Lane["members"] = [];
      const timer = this.clock.setTimeout(
        () => {
          this.lanes.delete(ms);
          for (const member of members.splice(0)) member?.(reason());
        },
        Math.max(0, ms),
      );
      lane = { timer, members, live: 0 };
      this.lanes.set(ms, lane);
    }
    const joined = lane;
    const at = joined.members.push(abort) - 1;
    joined.live++;
    return () => {
      if (joined.members[at] === undefined) return;
      joined.members[at] = undefined;
      if (--joined.live === 0 && this.lanes.get(ms) === joined) {
        this.clock.clearTimeout(joined.timer);
        this.lanes.delete(ms);
      }
    };
  }

  /** Drops every timer: no member is aborted by a deadline any more. */
  clear(): void {
    for (const lane of this.lanes.values()) this.clock.clearTimeout(lane.timer);
    this.lanes.clear();
  }
}

const noop = () => {};
