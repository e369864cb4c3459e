import { type Clock, systemClock } from "../clock.ts";

/** Options of `RateLimitedLog`; every field says its default. */
export interface RateLimitedLogOptions {
  /** Writes one log line (e.g. a bound `logger.warn`). */
  readonly write: (fields: Record<string, unknown>, message: string) => void;
  /** The message of a line that is logged in full. */
  readonly message: string;
  /** The message of the count of lines left out, e.g. "… not logged". */
  readonly summary: string;
  /** Lines logged in full per window (default 5). */
  readonly burst?: number;
  /** How long a window lasts, in ms; its count is logged when it ends (default 10,000). */
  readonly windowMs?: number;
  readonly clock?: Clock;
}

/**
 * One source of repeated log lines (a provider's stdout noise), kept to a trickle: in each window the first
 * `burst` lines are logged in full, the rest only counted, and the count is logged when the window ends.
 * A provider writing a million lines costs a handful of log lines, not one each: logging must never be
 * what stalls the gateway.
 */
export class RateLimitedLog {
  private logged = 0;
  private left = 0;
  private timer: unknown;
  private readonly clock: Clock;

  constructor(private readonly options: RateLimitedLogOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Logs the line `fields` gives if this window has room (calling it only then), else counts it. */
  note(fields: () => Record<string, unknown>): void {
    this.timer ??= this.clock.setTimeout(() => this.endWindow(), this.options.windowMs ?? 10_000);
    if (this.logged < (this.options.burst ?? 5)) {
      this.logged++;
      this.options.write(fields(), this.options.message);
    } else this.left++;
  }

  /** Logs the count of the current window now (when the source goes away) and stops the timer. */
  flush(): void {
    this.clock.clearTimeout(this.timer);
    this.endWindow();
  }

  private endWindow(): void {
    this.timer = undefined;
    if (this.left > 0) this.options.write({ not_logged: this.left }, this.options.summary);
    this.logged = 0;
    this.left = 0;
  }
}
