// Issue 9 item 6: what a caller brings on itself (bad or oversized arguments, its own short deadline, its
// own cancellation) never counts toward a provider's circuit breaker; only the provider's own failures do.
import { describe, expect, test } from "bun:test";
import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { CallError, CancelledError, ProviderError, TimeoutError } from "../src/errors.ts";
import { argumentLimitProblem, MAX_ARGUMENT_BYTES, MAX_ARGUMENT_DEPTH } from "../src/gateway/argument-limits.ts";
import { isProviderFailure, ProviderBreaker } from "../src/pool/breaker.ts";

/** Arguments whose value under `v` nests `levels` levels in total, the arguments object included. */
function nested(levels: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 1; i < levels; i++) value = [value];
  return { v: value };
}

describe("Argument limits", () => {
  test(`Arguments may nest ${MAX_ARGUMENT_DEPTH} levels, not one more`, () => {
    expect(argumentLimitProblem(nested(MAX_ARGUMENT_DEPTH))).toBeUndefined();
    expect(argumentLimitProblem(nested(MAX_ARGUMENT_DEPTH + 1))).toBe(
      "arguments are nested more than 128 levels deep (the limit is 128)",
    );
    expect(argumentLimitProblem(undefined)).toBeUndefined();
    expect(argumentLimitProblem({})).toBeUndefined();
  });

  test("Arguments nested 100,000 deep are refused without overflowing the stack", () => {
    const deep = JSON.parse(`{"v":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    expect(() => JSON.stringify(deep)).toThrow(RangeError); // what sending them used to do
    expect(argumentLimitProblem(deep)).toContain("nested more than 128 levels");
  });

  test("Arguments larger than 4 MiB as JSON are refused, counting strings in UTF-8", () => {
    expect(argumentLimitProblem({ text: "x".repeat(MAX_ARGUMENT_BYTES - 100) })).toBeUndefined();
    expect(argumentLimitProblem({ text: "x".repeat(MAX_ARGUMENT_BYTES) })).toBe(
      "arguments are larger than 4194304 bytes as JSON (the limit is 4 MiB)",
    );
    // 1.5 M characters of 3 bytes each: 4.5 MB of UTF-8.
    expect(argumentLimitProblem({ text: "€".repeat(1_500_000) })).toContain("larger than");
    // At the limit to the byte, a flat object as any other: 3n + 9 bytes ({"a":"€…€"}, 3 bytes a "€").
    const most = Math.floor((MAX_ARGUMENT_BYTES - 9) / 3);
    expect(argumentLimitProblem({ a: "€".repeat(most) })).toBeUndefined();
    expect(argumentLimitProblem({ a: "€".repeat(most + 1) })).toContain("larger than");
    expect(argumentLimitProblem({ a: "€".repeat(most), b: null })).toContain("larger than");
    // Many small values add up too.
    expect(argumentLimitProblem({ list: Array.from({ length: 1_500_000 }, () => 1234) })).toContain("larger than");
  });
});

describe("What counts toward the breaker", () => {
  const callTimeoutMs = 60_000;
  test("The provider's own failures count", () => {
    expect(isProviderFailure(new ProviderError("p", "cannot start"), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new CallError("transport_error", "closed"), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new CallError("protocol_error", "malformed result"), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new SdkError(SdkErrorCode.ConnectionClosed, "closed"), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new Error("write EPIPE"), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new TimeoutError("did not start"), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new TimeoutError("call_timeout_s", callTimeoutMs), callTimeoutMs)).toBe(true);
    expect(isProviderFailure(new TimeoutError("a long deadline", 2 * callTimeoutMs), callTimeoutMs)).toBe(true);
  });

  test("The caller's own failures, and Hangar's own limits, do not", () => {
    expect(isProviderFailure(new TimeoutError("timeout_s: 0.2", 200), callTimeoutMs)).toBe(false);
    expect(isProviderFailure(new CancelledError(), callTimeoutMs)).toBe(false);
    expect(isProviderFailure(new CallError("invalid_arguments", "bad"), callTimeoutMs)).toBe(false);
    expect(isProviderFailure(new CallError("unknown_tool", "no such tool"), callTimeoutMs)).toBe(false);
    expect(isProviderFailure(new ProtocolError(ProtocolErrorCode.InvalidParams, "bad"), callTimeoutMs)).toBe(false);
    expect(isProviderFailure(new RangeError("Maximum call stack size exceeded."), callTimeoutMs)).toBe(false);
  });

  test("Work that fails after the caller's signal aborted is judged by the signal's reason, not the SDK's RequestTimeout", async () => {
    const breaker = new ProviderBreaker({
      id: "p",
      maxConsecutiveFailures: 1,
      circuitCooldownMs: 30_000,
      callTimeoutMs: 60_000,
    });
    for (const reason of [new CancelledError(), new TimeoutError("The call timed out after 0.2 s", 200)]) {
      const caller = new AbortController();
      caller.abort(reason);
      // The SDK rejects an aborted request with SdkError(RequestTimeout, String(reason)).
      const sdkRejection = new SdkError(SdkErrorCode.RequestTimeout, String(reason));
      await expect(breaker.execute(() => Promise.reject(sdkRejection), caller.signal)).rejects.toBe(reason);
    }
    expect(breaker.state).toBe("closed");

    const provider = new AbortController();
    provider.abort(new TimeoutError("The call timed out after 60 s", 60_000));
    await expect(
      breaker.execute(() => Promise.reject(new SdkError(SdkErrorCode.RequestTimeout, "x")), provider.signal),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(breaker.state).toBe("open");
  });
});
