import {
  isInitializeRequest,
  type JSONRPCMessage,
  type LoggingLevel,
  type McpRequestContext,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { messageOf } from "../../errors.ts";
import type { FrontDeps } from "../front-deps.ts";
import { frontFactory, sendListChanged } from "../front-factory.ts";
import { ResourceSubscriptions } from "../resource-subscriptions.ts";
import { ProviderCalls } from "./provider-calls.ts";
import { rpcError } from "./rpc-error.ts";
import type { ActiveSession, SessionPicker } from "./session-bridge.ts";

/** One MCP session over HTTP: its own SDK Server on its own transport, sharing the gateway. */
interface Session {
  readonly server: Server;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly stopFollowing: () => void;
  /** The level of the client's `logging/setLevel`, once it sent one. */
  logLevel: LoggingLevel | undefined;
}

/** Options of `McpSessions`; every field says its default. */
export interface McpSessionsOptions {
  /** At most this many open sessions; an initialize beyond it is answered 503 (default 1000). */
  readonly maxSessions?: number;
  /** Called once, when the first session has initialized (e.g. to warm up the catalog). */
  readonly onFirstSession?: () => void;
}

/**
 * The 2025-era Streamable HTTP sessions of `/mcp`. An `initialize` POST without a session id opens a
 * session with a fresh, cryptographically random id (one SDK Server per session from the front's
 * factory, all on the one Gateway and Catalog); later requests name it in `Mcp-Session-Id`; an unknown
 * id gets 404, DELETE ends the session. Responses to requests, progress and notifications stream as SSE.
 */
export class McpSessions implements SessionPicker {
  private readonly sessions = new Map<string, Session>();
  private readonly subscriptions: ResourceSubscriptions;
  /** Which session's request runs on which provider (by session id). */
  private readonly calls = new ProviderCalls<string>();
  private readonly factory: (ctx: McpRequestContext) => Server;
  private readonly maxSessions: number;
  private firstSeen = false;
  private closed = false;

  constructor(
    private readonly deps: FrontDeps,
    private readonly options: McpSessionsOptions = {},
  ) {
    this.maxSessions = options.maxSessions ?? 1000;
    this.subscriptions = new ResourceSubscriptions(deps.gateway, deps.catalog, deps.logger);
    this.factory = frontFactory(
      {
        ...deps,
        onUpstream: (providerId, { requestId, sessionId }) =>
          sessionId === undefined ? () => {} : this.calls.enter(providerId, sessionId, requestId),
      },
      {
        subscriptions: this.subscriptions,
        onInstance: (server) =>
          // Replaces the SDK's own handler, whose level only its sendLoggingMessage reads (that cannot name a request's stream).
          server.setRequestHandler("logging/setLevel", async (request, ctx) => {
            const session = ctx.sessionId === undefined ? undefined : this.sessions.get(ctx.sessionId);
            if (session !== undefined) session.logLevel = request.params.level;
            return {};
          }),
      },
    );
  }

  /** Sessions open now. */
  get size(): number {
    return this.sessions.size;
  }

  active(providerId: string): ActiveSession | undefined {
    const call = this.calls.latest(providerId);
    const session = call === undefined ? undefined : this.sessions.get(call.session);
    if (call === undefined || session === undefined) return undefined;
    const { server, transport, logLevel } = session;
    return { server, sessionId: transport.sessionId, requestId: call.requestId, logLevel };
  }

  resourceUpdated(providerId: string, uri: string): void {
    this.subscriptions.updated(providerId, uri);
  }

  /** Answers one 2025-era request to `/mcp`; `body` is the parsed JSON of a POST. */
  async handle(request: Request, body?: unknown): Promise<Response> {
    if (this.closed) return rpcError(503, -32000, "Hangar is shutting down", body);
    const id = request.headers.get("mcp-session-id");
    if (id !== null) {
      const session = this.sessions.get(id);
      if (session === undefined)
        return rpcError(404, -32001, "Session not found; start a new one with initialize", body);
      return session.transport.handleRequest(request, body === undefined ? {} : { parsedBody: body });
    }
    if (request.method !== "POST" || !isInitialize(body)) {
      return rpcError(
        400,
        -32000,
        "Bad request: no Mcp-Session-Id header; start a session with an initialize request",
        body,
      );
    }
    if (this.sessions.size >= this.maxSessions)
      return rpcError(
        503,
        -32000,
        `Too many sessions (the limit is ${this.maxSessions}); end one with DELETE first`,
        body,
      );
    const session = await this.open();
    const response = await session.transport.handleRequest(request, { parsedBody: body });
    if (session.transport.sessionId === undefined) await this.end(session);
    return response;
  }

  /** Ends every session: running requests are aborted and open streams closed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((session) => this.end(session)));
  }

  private async open(): Promise<Session> {
    const server = this.factory({ era: "legacy" });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    const stopFollowing = this.deps.catalog.onChange((kinds) =>
      sendListChanged(server, "legacy", kinds, this.deps.logger),
    );
    const session: Session = { server, transport, stopFollowing, logLevel: undefined };
    transport.onclose = () => {
      if (transport.sessionId !== undefined) this.sessions.delete(transport.sessionId);
      stopFollowing();
      this.subscriptions.forget(server);
    };
    transport.onerror = (error) => this.deps.logger.debug({ err: error.message }, "bad message from an HTTP client");
    server.oninitialized = () => {
      if (this.firstSeen) return;
      this.firstSeen = true;
      this.options.onFirstSession?.();
    };
    await server.connect(transport);
    return session;
  }

  private async end(session: Session): Promise<void> {
    session.stopFollowing();
    await session.server
      .close()
      .catch((error: unknown) => this.deps.logger.debug({ err: messageOf(error) }, "cannot close an MCP session"));
  }
}

/** Whether a POST body is (or, as a batch, holds) an initialize request. */
function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((message) => isInitializeRequest(message as JSONRPCMessage));
}
