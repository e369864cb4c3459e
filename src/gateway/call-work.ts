import type { CallToolResult, ClientCapabilities, Progress } from "@modelcontextprotocol/client";
import { ProtocolError } from "@modelcontextprotocol/client";
import { ExponentialBackoff, type IBackoff } from "cockatiel";
import { CallError, withoutMcpPrefix } from "../errors.ts";
import type { CallRecorder } from "../observability/recorder.ts";
import type { Pins } from "../pinning/index.ts";
import type { InputRound, ProviderHandle } from "../pool/index.ts";
import type { BatchCall, Settled } from "../scheduler/index.ts";
import { argumentLimitProblem } from "./argument-limits.ts";
import type { BatchPlan } from "./batch-plan.ts";
import type { CallErrorInfo, CallRequest, CallResult } from "./batch-schema.ts";
import { roundMs } from "./batch-stream.ts";
import { classifyError } from "./classify.ts";
import { dependentArguments, literalArguments } from "./dependencies.ts";
import type { Router } from "./router.ts";

/** What turning a call into work needs of the gateway. */
export interface CallWorkContext {
  readonly router: Router;
  /** Tool pinning, when on: a withheld tool's call is refused. */
  readonly pins: Pins | undefined;
}

/** One call's part of its batch, and what it is told. */
export interface CallWorkOptions {
  /** The batch's dependency plan (none for a call Hangar built itself: its arguments go as they are). */
  readonly batchPlan?: BatchPlan | undefined;
  /** Filled in as the call runs: attempts made, and whether a retry is safe. */
  readonly attempts: Attempts;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** The round of a 2026-07-28 client's call by name, or "refuse": its caller cannot be asked for input. */
  readonly inputRound?: InputRound | "refuse" | undefined;
  /** What the client making the call declared, when the call is a client's own (see `UpstreamCallOptions`). */
  readonly clientCapabilities?: ClientCapabilities | undefined;
  readonly recorder: CallRecorder;
  /** Told the provider instance the call was routed to (the gateway holds it until the call settles). */
  readonly routed: (handle: ProviderHandle) => void;
}

/**
 * Turns call `index` of the request into work for the scheduler: routed, its size checked, then on each
 * attempt the breaker, the provider's start, the pins, the argument check against the tool's schema and
 * the upstream call, recorded; retried after a transport error or timeout only when the tool is safe to
 * repeat. A call that references others waits for them and gets its arguments from their answers
 * (`dependency_failed` when it cannot).
 */
export function callWork(
  { router, pins }: CallWorkContext,
  calls: readonly CallRequest[],
  index: number,
  { batchPlan, attempts, onProgress, inputRound, clientCapabilities, recorder, routed }: CallWorkOptions,
): BatchCall<CallToolResult> {
  const call = calls[index]!;
  const after = batchPlan?.after[index] ?? NO_CALLS;
  const marked = batchPlan?.marks[index]?.marked ?? false;
  const checkSize = (args: Record<string, unknown> | undefined) => {
    const tooBig = argumentLimitProblem(args);
    if (tooBig !== undefined)
      throw new CallError(
        "invalid_arguments",
        `Invalid arguments for "${call.provider}" tool "${call.tool}": ${tooBig}`,
      );
  };
  let handle: ProviderHandle;
  // The arguments as sent: references filled in once the calls they read have settled.
  let args = call.arguments;
  try {
    handle = router.route(call.provider, call.tool);
    routed(handle);
    checkSize(args);
    if (marked && after.length === 0) args = literalArguments(calls, index);
  } catch (error) {
    return { key: undefined, timeoutMs: Number.POSITIVE_INFINITY, run: () => Promise.reject(error) };
  }
  const timeoutMs = call.timeout_s === undefined ? handle.config.callTimeoutMs : call.timeout_s * 1000;
  const prepare = (inputs: readonly Settled<CallToolResult>[]) => {
    args = dependentArguments(calls, index, new Map(after.map((source, i) => [source, inputs[i]!])));
    checkSize(args);
  };
  const attempt = (signal: AbortSignal) =>
    handle.guard(async () => {
      // A ready provider's tools at once: the call goes out in this turn.
      const tools = handle.readyTools() ?? (await handle.ensureReady(signal));
      const withheld = pins?.refusal(call.provider, call.tool);
      if (withheld) throw withheld;
      const tool = router.check(call.provider, tools, call.tool, args);
      attempts.safe = tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true;
      attempts.count++;
      return recorder.upstream(handle.config.transport.kind, (meta) =>
        // One literal, every field set (undefined: not given): no spreads on a call's path.
        handle.callTool(call.tool, args, {
          signal,
          onProgress,
          meta,
          inputRound: inputRound === "refuse" ? undefined : inputRound,
          refuseInput: inputRound === "refuse",
          clientCapabilities,
        }),
      );
    }, signal);
  let backoff: IBackoff<unknown> | undefined;
  const retryDelayMs = (error: unknown) => {
    if (!mayRetry(error, attempts, handle.config.retries)) return undefined;
    backoff = backoff ? backoff.next(undefined) : RETRY_BACKOFF.next();
    return backoff.duration;
  };
  return after.length === 0
    ? { key: call.provider, timeoutMs, run: attempt, retryDelayMs }
    : { key: call.provider, timeoutMs, after, prepare, run: attempt, retryDelayMs };
}

/**
 * The result of a call made by name (`callOne`). When the provider answered the call with a JSON-RPC
 * error, `rpcError` is that error (code, message, data), so that a front passing the call through can
 * pass it on as it came; `error` says the same as in a batch.
 */
export interface OneCallResult extends CallResult {
  readonly rpcError?: ProviderRpcError;
}

/** A provider's JSON-RPC error answer to a call. */
export interface ProviderRpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** `error` as the provider's JSON-RPC error when it is one (the upstream client's ProtocolError). */
export function providerRpcError(error: unknown): ProviderRpcError | undefined {
  if (!(error instanceof ProtocolError) || !Number.isSafeInteger(error.code)) return undefined;
  const data = (error as { data?: unknown }).data;
  return { code: error.code, message: withoutMcpPrefix(error.message), ...(data === undefined ? {} : { data }) };
}

/** What the gateway learns about a call while it runs: upstream attempts, and whether a retry is safe. */
export interface Attempts {
  count: number;
  /** The tool is annotated read-only or idempotent. */
  safe: boolean;
}

/** The calls a call waits for when it waits for none (shared: never changed). */
const NO_CALLS: readonly number[] = [];

/** Delays between retries of a safe call: 100 ms doubling up to 2 s, with jitter. */
const RETRY_BACKOFF = new ExponentialBackoff({ initialDelay: 100, maxDelay: 2_000 });

/** Retry only safe tools, only after a transport error or timeout (the scheduler stops at the deadline). */
function mayRetry(error: unknown, attempts: Attempts, retries: number): boolean {
  if (!attempts.safe || attempts.count === 0 || attempts.count > retries) return false;
  const type = error instanceof CallError ? error.type : classifyError(error, "").type;
  return type === "transport_error" || type === "timeout";
}

/** A failed call's error; a timed-out call to a tool that may write is not safe to retry. */
function describeFailure(error: unknown, call: CallRequest, attempts: Attempts): CallErrorInfo {
  const info = classifyError(error, call.provider);
  if (info.type === "timeout" && attempts.count > 0 && !attempts.safe) {
    return {
      ...info,
      retryable: false,
      message: `${info.message}; its outcome is unknown, as "${call.tool}" may write and is not marked read-only or idempotent`,
    };
  }
  return info;
}

/**
 * The result of a call from how it settled, built once, its fields in the contract's order: the provider's
 * answer (an `isError` answer is a `tool_error` with its content kept) or why the call failed.
 */
export function resultOf(call: CallRequest, outcome: Settled<CallToolResult>, attempts: Attempts): CallResult {
  const answer = outcome.value;
  const error =
    answer === undefined
      ? describeFailure(outcome.error, call, attempts)
      : answer.isError === true
        ? toolError(call, answer)
        : undefined;
  // Built field by field in that order (no spread of optional parts: this runs once per call of a batch).
  const result: Partial<CallResult> =
    call.id === undefined
      ? { index: outcome.index, provider: call.provider, tool: call.tool, ok: error === undefined }
      : { index: outcome.index, id: call.id, provider: call.provider, tool: call.tool, ok: error === undefined };
  if (answer !== undefined) result.result = answer;
  if (error !== undefined) result.error = error;
  result.elapsed_ms = roundMs(outcome.elapsedMs);
  result.attempts = attempts.count;
  return result as CallResult;
}

/** The error of an answer with `isError`: its first text, else a sentence naming the tool. */
function toolError(call: CallRequest, answer: CallToolResult): CallErrorInfo {
  const text = answer.content.find((c) => c.type === "text")?.text;
  return {
    type: "tool_error",
    message: text ? text.slice(0, 500) : `Tool "${call.tool}" reported an error`,
    retryable: false,
  };
}
