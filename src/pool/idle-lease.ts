import type { Clock } from "../clock.ts";

/** What an `IdleLease` needs from the provider it watches. */
export interface IdleTarget {
  /** Whether the provider is up (the timer only runs then). */
  isReady(): boolean;
  /** Called once the provider has been ready with nothing in flight for the whole TTL. */
  onIdle(): void;
}

/**
 * Counts the calls in flight on a provider and runs its idle timer only while there are none, so an
 * idle provider is stopped after `ttlMs` and never under a running call. A TTL of 0 or less never fires.
 *
 * A call does not clear the timer, and its end sets it only when it is not set: with one call at a time
 * the two would be a `clearTimeout` and a `setTimeout` per call. When the timer fires it stops the
 * provider only if nothing has been in flight for the whole TTL since the last call ended; otherwise it
 * is set again for what is left (or, with a call in flight, by that call's end).
 */
export class IdleLease {
  private inFlight = 0;
  private timer: unknown;
  /** When the last call ended (or the provider became ready), while nothing is in flight. */
  private idleSince: number | undefined;

  constructor(
    private readonly clock: Clock,
    private ttlMs: number,
    private readonly target: IdleTarget,
  ) {}

  /** Changes the TTL (a config reload); a running timer starts over with it. */
  retune(ttlMs: number): void {
    if (ttlMs === this.ttlMs) return;
    this.ttlMs = ttlMs;
    if (this.timer !== undefined) this.arm();
  }

  /** Calls in flight now. */
  get active(): number {
    return this.inFlight;
  }

  /** One more call in flight: the provider is not idle (its timer, if set, finds it busy). */
  acquire(): void {
    this.inFlight++;
    this.idleSince = undefined;
  }

  /** One call fewer; the provider is idle from the last one's end. */
  release(): void {
    this.inFlight--;
    if (this.inFlight > 0 || this.ttlMs <= 0 || !this.target.isReady()) return;
    this.idleSince = this.clock.now();
    if (this.timer === undefined) this.set(this.ttlMs);
  }

  /** (Re)starts the idle timer, the provider idle from now, if it is ready and nothing is in flight. */
  arm(): void {
    this.clear();
    if (this.ttlMs <= 0 || this.inFlight > 0 || !this.target.isReady()) return;
    this.idleSince = this.clock.now();
    this.set(this.ttlMs);
  }

  /** Stops the idle timer. */
  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private set(ms: number): void {
    this.timer = this.clock.setTimeout(this.expired, ms);
  }

  /** The timer fired: stops an idle provider, or waits out the rest of the TTL. */
  private readonly expired = (): void => {
    this.timer = undefined;
    const since = this.idleSince;
    if (this.inFlight > 0 || since === undefined || this.ttlMs <= 0 || !this.target.isReady()) return;
    const left = since + this.ttlMs - this.clock.now();
    if (left > 0) this.set(left);
    else this.target.onIdle();
  };
}
