import type {
  JSONRPCMessage,
  RequestId,
  Server,
  ServerNotification,
  Transport,
  TransportSendOptions,
} from "@modelcontextprotocol/server";
import { CancelledError } from "../../errors.ts";
import { AbortGroup } from "../../scheduler/index.ts";
import { answerFastCall, FAST_ROUTE_LOG, type FastCall, FastRequest, fastCallOf, fastTarget } from "../fast-route.ts";
import type { FrontDeps } from "../front-deps.ts";
import { InterceptingTransport } from "../intercepting-transport.ts";
import type { Target } from "../names.ts";
import { type AnswerHeaders, answerHeaders, FastAnswer } from "./fast-answer.ts";

/** A fast-routed request of the session, running now. */
interface Running {
  /** The call's cancellation, as a group: no AbortController or listener of its own unless one is asked for. */
  readonly cancel: AbortGroup;
  readonly answer: FastAnswer;
}

/**
 * A 2025 HTTP session's transport with the fast route beside it: the SDK server is connected to this
 * wrapper of the session's SDK transport, and `take` answers a POST holding one plain `tools/call` of
 * an exposed provider tool (fast-route.ts) without the SDK transport or server, once the session has
 * initialized, when the request passes every check the SDK transport would make (Accept, Content-Type,
 * MCP-Protocol-Version; the session id was looked up by the caller). Whatever the server sends about a
 * fast-routed request (a provider's log, sampling or elicitation, on the session bridge) goes out on
 * that request's own response (fast-answer.ts); a POSTed `notifications/cancelled` for one aborts it;
 * the session's end aborts them all. Everything else reaches the SDK transport unchanged.
 */
export class FastSessionTransport extends InterceptingTransport {
  private server: Server | undefined;
  private initialized = false;
  private closed = false;
  private readonly running = new Map<RequestId, Running>();
  /** What the session's fast-routed answers go out with, built at the first (the id is known by then). */
  private headers: AnswerHeaders | undefined;
  /** Whether each fast-routed call is logged (at trace): read once, not a log object built per call. */
  private readonly tracing: boolean;
  /** When a fast-routed request last ended (the gateway's clock; 0 before any): how idle the session is (while one runs, it is `busy`). */
  lastUsed = 0;

  constructor(
    inner: Transport,
    private readonly deps: FrontDeps,
  ) {
    super(inner);
    this.tracing = deps.logger.isLevelEnabled("trace");
  }

  /** Notes the client's `initialized`; every message reaches the SDK (the fast route takes whole requests in `take`). */
  protected intercept(message: JSONRPCMessage): boolean {
    if ("method" in message && message.method === "notifications/initialized") this.initialized = true;
    return false;
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  /** Whether a fast-routed request runs now: the session is busy, not idle (mcp-sessions.ts ends only idle ones). */
  get busy(): boolean {
    return this.running.size > 0;
  }

  /** The session's server (its client's era and projection). */
  use(server: Server): void {
    this.server = server;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const related = options?.relatedRequestId;
    const running = related === undefined ? undefined : this.running.get(related);
    if (running === undefined) return this.inner.send(message, options);
    running.answer.send(message);
    return Promise.resolve();
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }

  /**
   * The response to `request` (body `body`) when the fast route takes it: a plain call of an exposed
   * provider tool, or a cancellation of a fast-routed one; undefined for anything else.
   */
  take(request: Request, body: unknown): Promise<Response> | undefined {
    const server = this.server;
    if (request.method !== "POST" || !this.initialized || this.closed || server === undefined) return undefined;
    if (!acceptable(request.headers, server.getNegotiatedProtocolVersion())) return undefined;
    const cancelled = cancelledId(body);
    if (cancelled !== undefined) {
      const running = this.running.get(cancelled.requestId);
      if (running === undefined) return undefined;
      running.cancel.abort(cancelled.reason);
      return Promise.resolve(new Response(null, { status: 202 }));
    }
    const call = fastCallOf(body);
    const target = call && fastTarget(this.deps, call);
    if (!call || !target || this.running.has(call.id)) return undefined;
    if (this.tracing) this.deps.logger.trace({ id: call.id, tool: call.name, session: this.sessionId }, FAST_ROUTE_LOG);
    this.headers ??= answerHeaders(this.sessionId, false);
    const running: Running = { cancel: new AbortGroup(), answer: new FastAnswer(this.headers) };
    void this.run(server, target, call, running);
    return running.answer.response;
  }

  private async run(server: Server, target: Target, call: FastCall, running: Running): Promise<void> {
    this.running.set(call.id, running);
    const notify = async (notification: ServerNotification) =>
      running.answer.send({ jsonrpc: "2.0", ...notification } as JSONRPCMessage);
    const extra = new FastRequest(running.cancel, call, notify, this.sessionId);
    let answer: JSONRPCMessage | undefined;
    try {
      answer = await answerFastCall(this.deps, server, target, call, extra);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (this.running.get(call.id) === running) this.running.delete(call.id);
      this.lastUsed = this.deps.hangar.gateway.clock.now();
      running.answer.end(answer);
    }
  }

  protected abortAll(): void {
    this.closed = true;
    const closed = new CancelledError("The MCP session ended");
    for (const running of this.running.values()) running.cancel.abort(closed);
  }
}

/**
 * Whether the SDK transport would take the request as it stands: it accepts JSON and event streams,
 * sends JSON, and names the session's protocol version if any (anything else goes to the SDK, which
 * answers 406, 415 or 400).
 */
function acceptable(headers: Headers, negotiated: string | undefined): boolean {
  const accept = headers.get("accept");
  if (accept === null || !accept.includes("application/json") || !accept.includes("text/event-stream")) return false;
  if (!isJsonType(headers.get("content-type"))) return false;
  const version = headers.get("mcp-protocol-version");
  return version === null || version === negotiated;
}

/** Whether a Content-Type names JSON (the exact `application/json` every client sends, checked first). */
function isJsonType(type: string | null): boolean {
  return type === "application/json" || type?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** The request a POSTed `notifications/cancelled` names, if the body is one. */
function cancelledId(body: unknown): { requestId: RequestId; reason: unknown } | undefined {
  const message = body as { method?: unknown; id?: unknown; params?: { requestId?: unknown; reason?: unknown } };
  if (typeof body !== "object" || body === null || message.method !== "notifications/cancelled" || "id" in message)
    return undefined;
  const requestId = message.params?.requestId;
  return typeof requestId === "string" || typeof requestId === "number"
    ? { requestId, reason: message.params?.reason }
    : undefined;
}
