import type { Clock } from "../../clock.ts";
import { messageOf } from "../../errors.ts";

/** What reading a body that did not arrive in time gives. */
export const LATE = Symbol("late");

/** A request body read as JSON: its value, why it is not JSON, or LATE. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; error: string } | typeof LATE;

/** A body being read: when it began, and what settles its read (with LATE when it gives up on it). */
interface Reading {
  readonly since: number;
  readonly settle: (body: JsonBody) => void;
}

/**
 * Reads request bodies as JSON, each within `timeoutMs` of when its reading began. Every body gets the
 * same time, so they fall due in the order they began: one timer, set for the oldest body still being
 * read, serves them all, instead of a timer set and cleared per request. A body that arrives in time
 * only leaves the set; the timer, when it fires, gives up on every body overdue and is set again for the
 * oldest left (none left: it is not set again until the next body).
 */
export class JsonBodies {
  private readonly reading = new Set<Reading>();
  private timer: unknown;

  constructor(
    private readonly timeoutMs: number,
    private readonly clock: Clock,
  ) {}

  /** `request`'s body parsed as JSON; LATE when it has not all arrived within the timeout (an error reading it, e.g. one too large, is thrown). */
  read(request: Request): Promise<JsonBody> {
    const { promise, resolve, reject } = Promise.withResolvers<JsonBody>();
    const reading: Reading = { since: this.clock.now(), settle: resolve };
    this.reading.add(reading);
    if (this.timer === undefined) this.arm(this.timeoutMs);
    request.text().then(
      (text) => {
        this.reading.delete(reading);
        resolve(parsed(text));
      },
      (error: unknown) => {
        this.reading.delete(reading);
        reject(error);
      },
    );
    return promise;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.sweep(), ms);
  }

  /** Gives up on the bodies overdue; sets the timer again for the oldest left. */
  private sweep(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (const reading of this.reading) {
      const left = reading.since + this.timeoutMs - now;
      if (left > 0) {
        this.arm(left);
        return;
      }
      this.reading.delete(reading);
      reading.settle(LATE);
    }
  }
}

function parsed(text: string): JsonBody {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}
