/**
 * Hangar's error types. User mistakes (`UsageError`, `ConfigError`) end the process with exit code 2 and
 * one sentence; call failures carry one of the `CallErrorType` codes that `hangar_call` reports.
 */

/** The error types a single call of a batch can end with (docs/contract.md, "The batch"). */
export const CALL_ERROR_TYPES = [
  "tool_error",
  "timeout",
  "cancelled",
  "unknown_provider",
  "unknown_tool",
  "invalid_arguments",
  "denied",
  "provider_unavailable",
  "circuit_open",
  "overloaded",
  "transport_error",
  "protocol_error",
  "dependency_failed",
  "input_required",
  "internal",
] as const;

/** One of the error types a call can end with. */
export type CallErrorType = (typeof CALL_ERROR_TYPES)[number];

/** Base class of every error Hangar raises on purpose. */
export class HangarError extends Error {
  override name = "HangarError";
}

/** The command line was used wrongly (exit code 2). */
export class UsageError extends HangarError {
  override name = "UsageError";
}

/** A config file is missing, unreadable or invalid (exit code 2). */
export class ConfigError extends HangarError {
  override name = "ConfigError";
}

/** A call of a batch failed; `type` says how, `retryable` whether trying again may help. */
export class CallError extends HangarError {
  override name = "CallError";
  constructor(
    readonly type: CallErrorType,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** A provider could not be started or its connection failed: hangar is fine, the provider is not. */
export class ProviderError extends CallError {
  override name = "ProviderError";
  /**
   * What failed, when several calls fail by it at once (the connection a crash closed under every call
   * in flight): the circuit breaker counts one failure per incident.
   */
  incident?: object;
  constructor(
    readonly providerId: string,
    message: string,
    type: CallErrorType = "provider_unavailable",
    retryable = true,
  ) {
    super(type, message, retryable);
  }
}

/** The provider's circuit breaker is open; calls are refused until the cooldown ends. */
export class CircuitOpenError extends ProviderError {
  override name = "CircuitOpenError";
  constructor(providerId: string, retryInMs: number) {
    super(
      providerId,
      `Provider "${providerId}" is failing; its circuit is open for another ${Math.ceil(retryInMs / 1000)} s`,
      "circuit_open",
      true,
    );
  }
}

/** The reason a signal aborts with when its deadline passes. */
export class TimeoutError extends CallError {
  override name = "TimeoutError";
  /**
   * `deadlineMs`: how long the deadline was, for a call's or a batch's deadline (the circuit breaker counts
   * the timeout against the provider only when it is at least the provider's `call_timeout_s`); undefined
   * for Hangar's own limits on the provider (start, listing, health check), which always count.
   */
  constructor(
    message: string,
    readonly deadlineMs?: number,
  ) {
    super("timeout", message, true);
  }
}

/** The reason a call's signal aborts with when the caller (or fail_fast) cancels it. */
export class CancelledError extends CallError {
  override name = "CancelledError";
  constructor(message = "The call was cancelled") {
    super("cancelled", message, true);
  }
}

/** The message of any thrown value, without a stack trace. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * A message without the SDK's "MCP error <code>: " prefixes. An SDK server sends its McpError's message,
 * prefix included, and the SDK client adds one more, so an upstream error can carry it twice.
 */
export function withoutMcpPrefix(message: string): string {
  return message.replace(/^(?:MCP error -?\d+: )+/, "");
}

/** The request as a whole is malformed (not a list, wrong types, too many calls); nothing ran. */
export class InvalidBatchError extends HangarError {
  override name = "InvalidBatchError";
}
