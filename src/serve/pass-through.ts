import type { CallToolResult, ClientCapabilities, Progress, ProgressToken, Server } from "@modelcontextprotocol/server";
import type { OneCallResult, ProviderRpcError } from "../gateway/index.ts";
import type { InputRound } from "../pool/index.ts";
import type { FrontDeps } from "./front-deps.ts";
import type { Target } from "./names.ts";
import { type Extra, failure, notifyProgress, settleProgress, traceOf } from "./request-context.ts";

/**
 * Runs a client's call of an exposed provider tool by its name, the way every front does (the SDK
 * handler and the fast route): through `gateway.callOne` (every limit, breaker, retry, deadline and
 * argument check), cancelled by `extra.signal`, the caller's trace context continued, the provider's
 * progress sent to the client under the client's `progressToken`, and `onUpstream` told which request
 * runs on the provider. A 2026-07-28 client's call goes in its `inputRound`; a 2025 client's is told
 * that client's `clientCapabilities` (see `CallOneOptions`). Resolves once the progress notifications
 * are written, a turn before the answer.
 */
export function callThrough(
  deps: FrontDeps,
  target: Target,
  args: Record<string, unknown> | undefined,
  extra: Extra,
  inputRound?: InputRound,
  clientCapabilities?: ClientCapabilities,
): Promise<OneCallResult> {
  const token = extra._meta?.progressToken;
  const leave = deps.onUpstream?.(target.providerId, extra);
  const upstream = { inputRound, clientCapabilities };
  // Nothing to do after the call (no progress to settle, nobody to tell): the gateway's own promise.
  if (token === undefined && leave === undefined) return gatewayCall(deps, target, args, extra, upstream);
  return callThroughWatched(deps, target, args, extra, upstream, token, leave);
}

/** Who the provider is told a pass-through call is for (`callThrough`). */
interface Upstream {
  readonly inputRound: InputRound | undefined;
  readonly clientCapabilities: ClientCapabilities | undefined;
}

/** `callThrough` with progress relayed under the client's `token`, and `leave` told when the call ends. */
async function callThroughWatched(
  deps: FrontDeps,
  target: Target,
  args: Record<string, unknown> | undefined,
  extra: Extra,
  upstream: Upstream,
  token: ProgressToken | undefined,
  leave: (() => void) | undefined,
): Promise<OneCallResult> {
  let sent: Promise<void> | undefined;
  const forward =
    token === undefined
      ? undefined
      : (progress: Progress) => {
          sent = (sent ?? Promise.resolve()).then(() => notifyProgress(extra, token, progress));
        };
  let result: OneCallResult;
  try {
    result = await gatewayCall(deps, target, args, extra, upstream, forward);
  } finally {
    leave?.();
  }
  if (sent) await settleProgress(sent);
  return result;
}

/** The call through `gateway.callOne`, with the request's cancellation and trace context. */
function gatewayCall(
  deps: FrontDeps,
  target: Target,
  args: Record<string, unknown> | undefined,
  extra: Extra,
  { inputRound, clientCapabilities }: Upstream,
  onProgress?: (progress: Progress) => void,
): Promise<OneCallResult> {
  const trace = traceOf(extra);
  return deps.hangar.gateway.callOne(
    args === undefined
      ? { provider: target.providerId, tool: target.name }
      : { provider: target.providerId, tool: target.name, arguments: args },
    {
      // A request with its cancellation as a group is followed by that, and its signal is never made.
      cancel: extra.cancel,
      signal: extra.cancel ? undefined : extra.signal,
      traceparent: trace.traceparent,
      tracestate: trace.tracestate,
      onProgress,
      inputRound,
      clientCapabilities,
    },
  );
}

/**
 * A finished pass-through call as the client gets it: the provider's result (projected for `server`'s
 * client; as it came without a `server`), else the provider's own JSON-RPC error (a transparent proxy), else Hangar's failure as an
 * error result.
 */
export function answerOf(
  server: Server | undefined,
  result: OneCallResult,
): { readonly result: CallToolResult } | { readonly error: ProviderRpcError } {
  if (result.result !== undefined)
    return { result: server ? projected(server, result.result as CallToolResult) : (result.result as CallToolResult) };
  if (result.rpcError) return { error: result.rpcError };
  return { result: failure(`${result.error?.type ?? "internal"}: ${result.error?.message ?? "the call failed"}`) };
}

/**
 * A provider's tool result as this client's era wants it: a 2025 client gets non-object
 * `structuredContent` wrapped, and a result without content gets its text (the SDK's projection; an
 * object-shaped result with content, the common case, passes as it is).
 */
function projected(server: Server, result: CallToolResult): CallToolResult {
  const structured = result.structuredContent;
  const plain =
    structured === undefined || (typeof structured === "object" && structured !== null && !Array.isArray(structured));
  return plain && result.content.length > 0 ? result : server.projectCallToolResult(result, undefined);
}
