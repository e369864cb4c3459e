import { ProtocolError, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  circuitBreaker,
  handleWhen,
  type IBackoff,
  type IBackoffFactory,
  type IBreaker,
} from "cockatiel";
import { type Clock, systemClock } from "../clock.ts";
import { CallError, CircuitOpenError, ProviderError, TimeoutError } from "../errors.ts";

/** The breaker's state as `hangar_status` shows it. */
export type CircuitStateName = "closed" | "open" | "half-open";

/** Call error types that say the provider itself failed. */
const PROVIDER_FAILURES: ReadonlySet<string> = new Set(["provider_unavailable", "transport_error", "protocol_error"]);

/**
 * Whether an error says the provider itself is failing (it counts toward the breaker): it could not
 * start, its connection broke, it broke the protocol, or it did not answer within a deadline at least
 * as long as its own `call_timeout_s` (`callTimeoutMs`). What the caller brought on itself says nothing
 * about the provider's health: a tool error, bad or oversized arguments, an unknown tool, its own
 * cancellation, or its own deadline shorter than the provider's. Neither do Hangar's own limits
 * (a `RangeError`, such as a stack overflow).
 */
export function isProviderFailure(error: unknown, callTimeoutMs: number): boolean {
  if (error instanceof TimeoutError) return error.deadlineMs === undefined || error.deadlineMs >= callTimeoutMs;
  if (error instanceof CallError) return PROVIDER_FAILURES.has(error.type);
  // The provider answered with an error: it is alive and speaking MCP.
  if (error instanceof ProtocolError) return false;
  // The SDK refused to send what the provider does not offer; anything else local is the connection failing.
  if (error instanceof SdkError)
    return (
      error.code !== SdkErrorCode.CapabilityNotSupported &&
      error.code !== SdkErrorCode.MethodNotSupportedByProtocolVersion
    );
  return error instanceof Error && error.name !== "AbortError" && !(error instanceof RangeError);
}

/** What a breaker needs from its provider's config. */
export interface BreakerOptions {
  readonly id: string;
  /** Consecutive provider failures that open the circuit. */
  readonly maxConsecutiveFailures: number;
  /** How long the circuit stays open before a probe goes through. */
  readonly circuitCooldownMs: number;
  /** The provider's own call deadline; a caller's shorter deadline never counts as its failure. */
  readonly callTimeoutMs: number;
}

/**
 * Cockatiel's half-open delay, timed on `clock`. Cockatiel takes no clock: at each call on an open circuit
 * it checks `Date.now() - openedAt < backoff.duration`, so this delay's `duration` reads as endless until
 * `cooldownMs` has passed on `clock` since the circuit opened, and as none after that.
 */
function cooldownOn(clock: Clock, cooldownMs: () => number): IBackoffFactory<unknown> {
  const next = (): IBackoff<unknown> => {
    const since = clock.now();
    return {
      get duration() {
        return clock.now() < since + cooldownMs() ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      },
      next,
    };
  };
  return { next };
}

/**
 * Cockatiel's `ConsecutiveBreaker` with a threshold that a config reload may change: it opens once
 * `threshold` provider failures come in a row, and a success starts the count over.
 */
class AdjustableConsecutiveBreaker implements IBreaker {
  /** Failures in a row so far (cockatiel reads and restores it as the breaker's state). */
  state = 0;

  constructor(public threshold: number) {
    this.threshold = Math.max(1, threshold);
  }

  success(): void {
    this.state = 0;
  }

  failure(): boolean {
    this.state++;
    return this.state >= this.threshold;
  }
}

/**
 * One provider's circuit breaker (cockatiel): opens after `maxConsecutiveFailures` provider failures in a row,
 * rejects with `circuit_open` for `circuitCooldownMs`, then lets one probe through and closes on its success.
 * The cooldown runs on the injected `clock` (cockatiel keeps the state machine; see `cooldownOn`).
 */
export class ProviderBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;
  /** Times the circuit has opened. */
  opens = 0;

  private readonly providerId: string;
  private cooldownMs: number;
  private callTimeoutMs: number;
  private readonly consecutive: AdjustableConsecutiveBreaker;
  /** Incidents already counted (the connection a crash closed). */
  private readonly counted = new WeakSet<object>();
  /** Failures whose incident was already counted: not counted again. */
  private readonly sameIncident = new WeakSet<object>();

  constructor(
    options: BreakerOptions,
    private readonly clock: Clock = systemClock,
    onOpen: () => void = () => {},
    /** Told each time an open circuit refuses work. */
    private readonly onRejected: () => void = () => {},
  ) {
    this.providerId = options.id;
    this.cooldownMs = options.circuitCooldownMs;
    this.callTimeoutMs = options.callTimeoutMs;
    this.consecutive = new AdjustableConsecutiveBreaker(options.maxConsecutiveFailures);
    this.policy = circuitBreaker(
      handleWhen((error) => this.handles(error)),
      {
        breaker: this.consecutive,
        halfOpenAfter: cooldownOn(clock, () => this.cooldownMs),
      },
    );
    this.policy.onBreak(() => {
      this.openedAt = this.clock.now();
      this.opens++;
      onOpen();
    });
  }

  /**
   * Takes new thresholds (a config reload) without forgetting the circuit's state: failures already
   * counted count toward the new threshold, and an open circuit's cooldown is measured with the new length.
   */
  retune(options: BreakerOptions): void {
    this.consecutive.threshold = Math.max(1, options.maxConsecutiveFailures);
    this.cooldownMs = options.circuitCooldownMs;
    this.callTimeoutMs = options.callTimeoutMs;
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
    return Math.max(0, this.openedAt + this.cooldownMs - this.clock.now());
  }

  /**
   * Runs `work` through the breaker; rejects with CircuitOpenError while the circuit is open. Work that
   * fails once `signal` has aborted failed for the signal's reason, and that is what the breaker judges:
   * the SDK rejects every aborted request with a RequestTimeout McpError, whether the caller cancelled,
   * its own short deadline fired, or the provider's did.
   *
   * One incident counts once: calls that fail by the same incident (a `ProviderError` whose `incident` is
   * the connection a crash closed under every call in flight) are one failure, not one each in a row.
   * Every other failure counts as its own, timeouts included.
   */
  async execute<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.policy.state !== CircuitState.Closed) return this.throughPolicy(() => this.judged(work, signal), signal);
    // A closed circuit (nearly every call): the work runs here, without cockatiel's executor around it, and
    // its outcome is counted as cockatiel's closed state counts it (see `closedFailure`).
    let value: T;
    try {
      value = await work();
    } catch (caught) {
      throw await this.closedFailure(this.judge(caught, signal), signal);
    }
    this.consecutive.success();
    return value;
  }

  /** `work` through cockatiel's policy: an open circuit refuses it, a half-open one lets one probe through. */
  private async throughPolicy<T>(work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await this.policy.execute(work, signal);
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.onRejected();
        throw new CircuitOpenError(this.providerId, this.remainingMs());
      }
      throw error;
    }
  }

  /** `work`, its failure judged (see `judge`). */
  private async judged<T>(work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await work();
    } catch (caught) {
      throw this.judge(caught, signal);
    }
  }

  /**
   * What a failed attempt failed for: the signal's reason once it aborted. A provider failure carrying an
   * incident already counted is marked, so the breaker's filter passes it over.
   */
  private judge(caught: unknown, signal: AbortSignal | undefined): unknown {
    const error: unknown = signal?.aborted ? signal.reason : caught;
    const incident = error instanceof ProviderError ? error.incident : undefined;
    if (incident !== undefined && isProviderFailure(error, this.callTimeoutMs)) {
      if (this.counted.has(incident)) this.sameIncident.add(error as ProviderError);
      else this.counted.add(incident);
    }
    return error;
  }

  /**
   * Counts the failure of work that began on a closed circuit as cockatiel's closed state does, and
   * returns the error to throw (always `error`). A failure the filter passes over counts nothing; one it
   * handles is handed to cockatiel on the still closed circuit (its failure count, the open at the
   * threshold, `onBreak`), or, when other calls opened the circuit meanwhile, counted here as cockatiel's
   * closed branch counts it for work already running: a failure more, and the circuit opened again from
   * half-open at the threshold (an open one stays as it is).
   */
  private async closedFailure(error: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    if (!this.handles(error)) return error;
    if (this.policy.state === CircuitState.Closed) {
      await this.policy.execute(() => Promise.reject(error), signal).catch(() => {});
      return error;
    }
    if (this.consecutive.failure()) (this.policy as unknown as CockatielOpen).open({ error }, signal ?? NEVER);
    return error;
  }

  /** Whether the breaker's filter counts `error` (the filter cockatiel's policy is built with). */
  private handles(error: unknown): boolean {
    return !this.sameIncident.has(error as object) && isProviderFailure(error, this.callTimeoutMs);
  }
}

/** Cockatiel 4.0.0's own transition to open (used only for work that began closed and failed after). */
interface CockatielOpen {
  open(reason: { error: unknown }, signal: AbortSignal): void;
}

/** The signal of work without one. */
const NEVER = new AbortController().signal;
