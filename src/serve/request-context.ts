import type {
  CallToolResult,
  ClientCapabilities,
  Progress,
  ProgressToken,
  RequestId,
  ServerContext,
  ServerNotification,
} from "@modelcontextprotocol/server";
import { CallError } from "../errors.ts";
import type { AbortGroup } from "../scheduler/index.ts";

/** What Hangar's handlers use of a request, in either protocol era. */
export interface Extra {
  readonly signal: AbortSignal;
  /** The request's id (in its session, for a 2025 client). */
  readonly requestId: RequestId;
  /** The 2025 HTTP session the request came in, if any. */
  readonly sessionId: string | undefined;
  /** The request's `_meta`, without the 2026 envelope keys. */
  readonly _meta: { progressToken?: ProgressToken | undefined; [key: string]: unknown } | undefined;
  /** The HTTP request's headers, when it came over HTTP. */
  readonly headers: Headers | undefined;
  readonly sendNotification: (n: ServerNotification) => Promise<void>;
  /** A 2026-07-28 request, whose client is asked for input only by `input_required` answers (default: a 2025 one). */
  readonly modern?: boolean;
  /** What a 2025 client declared at `initialize`, for Hangar's own tools (default: not known here). */
  readonly clientCapabilities?: ClientCapabilities | undefined;
  /**
   * The request's cancellation as a group (the fast route's, default none): it aborts when `signal` does,
   * and a call given it follows it without a listener on `signal` (see `Gateway.callOne`).
   */
  readonly cancel?: AbortGroup;
}

/** Hangar's view of an SDK handler context. */
export function extraOf(ctx: ServerContext): Extra {
  return {
    signal: ctx.mcpReq.signal,
    requestId: ctx.mcpReq.id,
    sessionId: ctx.sessionId,
    _meta: ctx.mcpReq._meta,
    headers: ctx.http?.req?.headers,
    sendNotification: ctx.mcpReq.notify,
  };
}

/**
 * Waits until the progress notifications are written, then one turn of the event loop, so the response
 * does not reach the client in the same read: SDK clients drop progress that arrives with the response.
 */
export async function settleProgress(sent: Promise<void>): Promise<void> {
  await sent;
  await new Promise((resolve) => setImmediate(resolve));
}

/** The caller's W3C trace context: `_meta.traceparent` (MCP), else the HTTP request's `traceparent` header. */
export function traceOf(extra: Extra): { traceparent?: string; tracestate?: string } {
  const meta = extra._meta;
  let traceparent: string | undefined;
  let tracestate: string | undefined;
  if (typeof meta?.traceparent === "string") {
    traceparent = meta.traceparent;
    if (typeof meta.tracestate === "string") tracestate = meta.tracestate;
  } else if (extra.headers !== undefined) {
    traceparent = extra.headers.get("traceparent") ?? undefined;
    tracestate = extra.headers.get("tracestate") ?? undefined;
  }
  // No context (the usual stdio call): one shared empty answer.
  if (!traceparent && !tracestate) return NO_TRACE;
  return { ...(traceparent ? { traceparent } : {}), ...(tracestate ? { tracestate } : {}) };
}

const NO_TRACE: { traceparent?: string; tracestate?: string } = Object.freeze({});

/** Sends one progress notification for the request; a failure to send is ignored. */
export function notifyProgress(extra: Extra, progressToken: ProgressToken, progress: Progress): Promise<void> {
  return extra
    .sendNotification({ method: "notifications/progress", params: { progressToken, ...progress } })
    .catch(() => {});
}

/** A tool result with `value` as structuredContent and as JSON text. */
export function structured(value: object): CallToolResult {
  return {
    content: [{ type: "text", text: JSON.stringify(value) }],
    structuredContent: value as Record<string, unknown>,
  };
}

/** A tool result that reports `message` as an error. */
export function failure(message: string): CallToolResult {
  // In the result schema's order (the SDK path writes a handler's result so): the same text on every path.
  return { content: [{ type: "text", text: message }], isError: true };
}

/** A CallError as an error result; anything else is thrown on. */
export function asFailure(error: unknown): CallToolResult {
  if (error instanceof CallError) return failure(error.message);
  throw error;
}
