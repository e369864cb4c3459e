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
 */
export class IdleLease {
  private inFlight = 0;
  private timer: unknown;

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

  /** One more call in flight: the idle timer stops. */
  acquire(): void {
    this.inFlight++;
    this.clear();
  }

  /** One call fewer; the last one out arms the idle timer. */
  release(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.arm();
  }

  /** (Re)starts the idle timer if the provider is ready and nothing is in flight. */
  arm(): void {
    this.clear();
    if (this.ttlMs <= 0 || this.inFlight > 0 || !this.target.isReady()) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight === 0 && this.target.isReady()) this.target.onIdle();
    }, this.ttlMs);
  }

  /** Stops the idle timer. */
  clear(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
