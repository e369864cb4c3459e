import type { Clock } from "../clock.ts";
import { messageOf, TimeoutError } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import type { GatewayRecorder } from "../observability/recorder.ts";
import { deadline } from "../scheduler/deadline.ts";

/** The counters health checks keep (part of a provider's `ProviderStats`). */
export interface HealthStats {
  healthChecks: number;
  healthFailures: number;
  /** Round trip of the last successful health check ping, in ms. */
  lastPingMs: number | undefined;
}

/** What `HealthChecks` needs from the provider it watches and where it reports. */
export interface HealthCheckOptions {
  readonly id: string;
  /** Time between checks, in ms; 0 or less turns health checks off. */
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly recorder: GatewayRecorder;
  /** Counted into after each check. */
  readonly stats: HealthStats;
  /** Whether the provider is up and worth pinging now. */
  isReady(): boolean;
  /** Sends one `ping` (through the breaker, so failures count); resolves with the round trip in ms. */
  ping(signal: AbortSignal): Promise<number>;
}

/** How long one ping may take: a fifth of the interval, between 1 and 10 seconds. */
export function pingTimeoutMs(intervalMs: number): number {
  return Math.min(10_000, Math.max(1_000, Math.round(intervalMs / 5)));
}

/**
 * Pings a provider every `intervalMs` while it is ready, one ping at a time, each with a short timeout,
 * and counts, records and logs the outcome. Timers run on the clock, so tests drive them without sleeping.
 */
export class HealthChecks {
  private timer: unknown;
  /** Bumped by every start and stop, so a check of an earlier round never schedules the next. */
  private round = 0;

  private options: HealthCheckOptions;

  constructor(options: HealthCheckOptions) {
    this.options = options;
  }

  /** Changes the interval (a config reload); running checks start over with it. */
  retune(intervalMs: number): void {
    if (intervalMs === this.options.intervalMs) return;
    const running = this.timer !== undefined;
    this.options = { ...this.options, intervalMs };
    if (running || this.options.isReady()) this.start();
  }

  /** (Re)starts the checks: the first ping goes out after one interval. */
  start(): void {
    this.stop();
    if (this.options.intervalMs > 0) this.schedule(this.round);
  }

  /** Stops the checks; a ping under way finishes, but no other follows. */
  stop(): void {
    this.round++;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(round: number): void {
    if (round !== this.round) return;
    this.timer = this.options.clock.setTimeout(() => void this.check(round), this.options.intervalMs);
  }

  private async check(round: number): Promise<void> {
    const { id, clock, intervalMs, stats } = this.options;
    this.timer = undefined;
    if (round !== this.round || !this.options.isReady()) return;
    const limit = deadline(
      clock,
      pingTimeoutMs(intervalMs),
      () => new TimeoutError(`Provider "${id}" did not answer a health check ping in time`),
    );
    let ok = false;
    try {
      const latencyMs = await this.options.ping(limit.signal);
      ok = true;
      stats.lastPingMs = latencyMs;
    } catch (error) {
      stats.healthFailures++;
      const reason = limit.signal.aborted ? limit.signal.reason : error;
      this.options.logger.warn({ provider: id, err: messageOf(reason) }, "health check failed");
    } finally {
      limit.clear();
      stats.healthChecks++;
      this.options.recorder.healthChecked(id, ok);
      this.schedule(round);
    }
  }
}
