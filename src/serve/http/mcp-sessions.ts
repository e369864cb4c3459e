import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  isInitializeRequest,
  type JSONRPCMessage,
  type LoggingLevel,
  SetLevelRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { messageOf } from "../../errors.ts";
import type { FrontDeps } from "../front-deps.ts";
import { ResourceSubscriptions } from "../resource-subscriptions.ts";
import { createServer, serveGateway } from "../server.ts";
import { ProviderCalls } from "./provider-calls.ts";
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
 * The Streamable HTTP sessions of `/mcp`. An `initialize` POST without a session id opens a session
 * with a fresh, cryptographically random id (one SDK Server per session, all on the one Gateway and
 * Catalog); later requests name it in `Mcp-Session-Id`; an unknown id gets 404, DELETE ends the
 * session. Responses to requests, progress and notifications stream as SSE.
 */
export class McpSessions implements SessionPicker {
  private readonly sessions = new Map<string, Session>();
  private readonly subscriptions: ResourceSubscriptions;
  private readonly calls = new ProviderCalls<Session>();
  private readonly maxSessions: number;
  private firstSeen = false;
  private closed = false;

  constructor(
    private readonly deps: FrontDeps,
    private readonly options: McpSessionsOptions = {},
  ) {
    this.maxSessions = options.maxSessions ?? 1000;
    this.subscriptions = new ResourceSubscriptions(deps.gateway, deps.catalog, deps.logger);
  }

  /** Sessions open now. */
  get size(): number {
    return this.sessions.size;
  }

  active(providerId: string): ActiveSession | undefined {
    const call = this.calls.latest(providerId);
    if (call === undefined) return undefined;
    const { server, transport, logLevel } = call.session;
    return { server, sessionId: transport.sessionId, requestId: call.requestId, logLevel };
  }

  resourceUpdated(providerId: string, uri: string): void {
    this.subscriptions.updated(providerId, uri);
  }

  /** Answers one request to `/mcp`; `body` is the parsed JSON of a POST. */
  async handle(request: Request, body?: unknown): Promise<Response> {
    if (this.closed) return rpcError(503, -32000, "Hangar is shutting down");
    const id = request.headers.get("mcp-session-id");
    if (id !== null) {
      const session = this.sessions.get(id);
      if (session === undefined) return rpcError(404, -32001, "Session not found; start a new one with initialize");
      return session.transport.handleRequest(request, body === undefined ? {} : { parsedBody: body });
    }
    if (request.method !== "POST" || !isInitialize(body)) {
      return rpcError(400, -32000, "Bad request: no Mcp-Session-Id header; start a session with an initialize request");
    }
    if (this.sessions.size >= this.maxSessions)
      return rpcError(503, -32000, `Too many sessions (the limit is ${this.maxSessions}); end one with DELETE first`);
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
    const server = createServer();
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
      },
    });
    const stopFollowing = serveGateway(server, {
      ...this.deps,
      onUpstream: (providerId, requestId) => this.calls.enter(providerId, session, requestId),
    });
    this.subscriptions.serveOn(server);
    // Replaces the SDK's own handler, whose level only its sendLoggingMessage reads (that cannot name a request's stream).
    server.setRequestHandler(SetLevelRequestSchema, async (request) => {
      session.logLevel = request.params.level;
      return {};
    });
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

/** A JSON-RPC error with no id, as the Streamable HTTP transport answers transport-level failures. */
function rpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}
