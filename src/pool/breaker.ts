import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
} from "cockatiel";
import { CallError, CircuitOpenError } from "../errors.ts";

/** The breaker's state as `hangar_status` shows it. */
export type CircuitStateName = "closed" | "open" | "half-open";

/**
 * Whether an error says the provider itself is failing (it counts toward the breaker): it could not
 * start, its connection broke, or it did not answer in time. A tool error, bad arguments, an unknown
 * tool or a cancellation by the caller say nothing about the provider's health.
 */
export function isProviderFailure(error: unknown): boolean {
  if (error instanceof CallError) return ["provider_unavailable", "transport_error", "timeout"].includes(error.type);
  if (error instanceof McpError)
    return error.code === ErrorCode.ConnectionClosed || error.code === ErrorCode.RequestTimeout;
  return error instanceof Error && error.name !== "AbortError";
}

/**
 * One provider's circuit breaker (cockatiel): opens after `maxFailures` consecutive provider failures,
 * rejects with `circuit_open` for `cooldownMs`, then lets one probe through and closes on its success.
 * Cockatiel reads `Date.now()`, so tests move time with bun:test's `setSystemTime`.
 */
export class ProviderBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  /** Times the circuit has opened. */
  opens = 0;

  constructor(
    private readonly providerId: string,
    maxFailures: number,
    private readonly cooldownMs: number,
    onOpen: () => void = () => {},
  ) {
    this.policy = circuitBreaker(handleWhen(isProviderFailure), {
      breaker: new ConsecutiveBreaker(Math.max(1, maxFailures)),
      halfOpenAfter: cooldownMs,
    });
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
      this.opens++;
      onOpen();
    });
  }

  /** "closed", "open" or "half-open". */
  get state(): CircuitStateName {
    switch (this.policy.state) {
      case CircuitState.Open:
      case CircuitState.Isolated:
        return this.remainingMs() > 0 ? "open" : "half-open";
      case CircuitState.HalfOpen:
        return "half-open";
      default:
        return "closed";
    }
  }

  /** Milliseconds until an open circuit lets a probe through (0 when it is not open). */
  remainingMs(): number {
    if (this.policy.state !== CircuitState.Open) return 0;
    return Math.max(0, this.openedAt + this.cooldownMs - Date.now());
  }

  /** Runs `work` through the breaker; rejects with CircuitOpenError while the circuit is open. */
  async execute<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.policy.execute(work, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw new CircuitOpenError(this.providerId, this.remainingMs());
      throw error;
    }
  }
}
