import type { Clock } from "../clock.ts";
import { TimeoutError } from "../errors.ts";
import { deadline } from "../scheduler/deadline.ts";

/** What a health check needs from the provider it watches. */
export interface HealthTarget {
  readonly id: string;
  /** Whether the provider is up and worth pinging now. */
  isReady(): boolean;
  /** Sends one `ping` (through the breaker, so failures count); resolves with the round trip in ms. */
  ping(signal: AbortSignal): Promise<number>;
  /** Told the outcome of each check. */
  report(result: { ok: true; latencyMs: number } | { ok: false; error: unknown }): void;
}

/** How long one ping may take: a fifth of the interval, between 1 and 10 seconds. */
export function pingTimeoutMs(intervalMs: number): number {
  return Math.min(10_000, Math.max(1_000, Math.round(intervalMs / 5)));
}

/**
 * Pings `target` every `intervalMs` while it is ready, one ping at a time, each with a short timeout.
 * Returns a function that stops the checks. Timers run on `clock`, so tests drive them without sleeping.
 */
export function startHealthChecks(target: HealthTarget, clock: Clock, intervalMs: number): () => void {
  let timer: unknown;
  let stopped = false;
  const schedule = () => {
    if (!stopped) timer = clock.setTimeout(check, intervalMs);
  };
  const check = async () => {
    if (stopped || !target.isReady()) return;
    const limit = deadline(
      clock,
      pingTimeoutMs(intervalMs),
      () => new TimeoutError(`Provider "${target.id}" did not answer a health check ping in time`),
    );
    try {
      const latencyMs = await target.ping(limit.signal);
      target.report({ ok: true, latencyMs });
    } catch (error) {
      target.report({ ok: false, error: limit.signal.aborted ? limit.signal.reason : error });
    } finally {
      limit.clear();
      schedule();
    }
  };
  schedule();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}
