import {
  isInitializeRequest,
  type JSONRPCMessage,
  type LoggingLevel,
  type McpRequestContext,
  type RequestId,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { messageOf } from "../../errors.ts";
import { CatalogCache } from "../catalog-cache.ts";
import type { FrontDeps } from "../front-deps.ts";
import { frontFactory, sendListChanged } from "../front-factory.ts";
import { type OwnProviders, perClientProviders } from "../per-client.ts";
import { ResourceSubscriptions } from "../resource-subscriptions.ts";
import { FastSessionTransport } from "./fast-session.ts";
import { ProviderCalls } from "./provider-calls.ts";
import { requestIdOf, rpcError } from "./rpc-error.ts";
import { MAX_SEALED_ID_CHARS, onBodyEnd, replayInitialize, sessionToSeal } from "./sealed-session.ts";
import type { ActiveSession, SessionPicker } from "./session-bridge.ts";
import type { SessionSeal } from "./session-seal.ts";
import { singleAnswer } from "./single-answer.ts";

/** One MCP session over HTTP: its own SDK Server on its own transport, sharing the gateway. */
interface Session {
  readonly server: Server;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  /** What the server is connected to: the transport with the fast route beside it. */
  readonly fast: FastSessionTransport;
  readonly stopFollowing: () => void;
  /** Its own instances of the `per_client` providers, when the config has any. */
  readonly own: OwnProviders | undefined;
  /** The level of the client's `logging/setLevel`, once it sent one. */
  logLevel: LoggingLevel | undefined;
  /** Its requests and streams whose response is still open (fast-routed ones of an unsealed session: `fast.busy`). */
  live: number;
  /** When a request or stream of it last began or ended (the gateway's clock; fast-routed ones: `fast.lastUsed`). */
  lastUsed: number;
}

/** How many ids of sealed sessions ended here by DELETE are remembered (and refused with 404). */
const ENDED_REMEMBERED = 10_000;
/** Where `ProviderCalls` notes a 2026-07-28 request: no session has this id (real ones are random UUIDs or sealed). */
const MODERN = "";

/** Options of `McpSessions`; every field says its default. */
export interface McpSessionsOptions {
  /**
   * At most this many sessions held at once (default 1000). At the cap, an initialize ends the session
   * idle longest to make room (its client gets 404 and initializes again); it is answered 503 only when
   * every session has a request or stream open.
   */
  readonly maxSessions?: number;
  /**
   * Called once, when the first session served by the shared gateway has initialized (e.g. to warm up
   * the catalog); a session with its own `per_client` providers warms up its own gateway instead.
   */
  readonly onFirstSession?: () => void;
  /**
   * Seals each session's id (`--session-key-file`), so that any replica sharing the key serves it
   * (default: none; ids are random and a session lives only in the process that opened it).
   */
  readonly seal?: SessionSeal;
  /** Where the catalogs of sessions with their own `per_client` providers are cached (default `new CatalogCache()`). */
  readonly cache?: CatalogCache;
}

/**
 * The 2025-era Streamable HTTP sessions of `/mcp`. An `initialize` POST without a session id opens a
 * session with a fresh, cryptographically random id (one SDK Server per session from the front's
 * factory, all on the one Gateway and Catalog); later requests name it in `Mcp-Session-Id`; an unknown
 * id gets 404, DELETE ends the session. A request's progress, notifications and provider requests stream
 * as SSE with its answer; a request that sends nothing before its answer gets it as plain JSON.
 *
 * With a `seal`, an id is self-contained (see session-seal.ts): a request naming a valid sealed id this
 * process does not hold rebuilds the session (replayInitialize) and is served; a forged or tampered one
 * is a 404. DELETE ends what this process holds of it and makes this process refuse the id from then
 * on; other replicas still accept it.
 *
 * The cap counts sessions with a live request or stream: when it is reached, the session idle longest is
 * dropped, so that clients that vanished without DELETE cannot lock new ones out. A sealed one is rebuilt
 * by its next request; an unsealed one is ended, and its client gets 404 and initializes again, as the
 * MCP spec tells it to.
 *
 * When the config has `per_client` providers, each session gets its own gateway (see per-client.ts):
 * its own instances of those, offered this session's roots, sampling and elicitation, and every other
 * provider borrowed from the shared gateway; the instances stop when the session ends. 2026-era
 * requests have no session: they use the shared gateway's one instance.
 */
export class McpSessions implements SessionPicker {
  private readonly sessions = new Map<string, Session>();
  /** The resources followed for the sessions on the shared gateway (and for 2026 listens: mcp-endpoint.ts). */
  readonly subscriptions: ResourceSubscriptions;
  /** Which session's request runs on which provider (by session id). */
  private readonly calls = new ProviderCalls<string>();
  private readonly factory: (ctx: McpRequestContext) => Server;
  /** A session's own `per_client` instances (none while the config has no such provider). */
  private readonly perClient: () => OwnProviders | undefined;
  private readonly maxSessions: number;
  /** Sealed sessions being rebuilt, so that two requests naming one rebuild it once. */
  private readonly restoring = new Map<string, Promise<Session>>();
  /** Sealed ids ended here by DELETE, oldest first. */
  private readonly ended = new Set<string>();
  private firstSeen = false;
  private closed = false;

  constructor(
    private readonly deps: FrontDeps,
    private readonly options: McpSessionsOptions = {},
  ) {
    this.maxSessions = options.maxSessions ?? 1000;
    this.subscriptions = new ResourceSubscriptions(deps.hangar.gateway, deps.hangar.catalog, deps.logger);
    this.factory = this.factoryOf(undefined);
    this.perClient = perClientProviders(deps.hangar.gateway, {
      logger: deps.logger,
      cache: options.cache ?? new CatalogCache(),
      // The sessions open with the Hangar, so its uptime is theirs (it keeps its own startedAt private).
      startedAt: deps.hangar.gateway.clock.now(),
    });
  }

  /**
   * The front's factory for a session: on the shared gateway, or with `own`, on the session's own
   * gateway (its `per_client` instances, bridged to this session alone, and the shared ones borrowed).
   */
  private factoryOf(own: OwnProviders | undefined): (ctx: McpRequestContext) => Server {
    return frontFactory(this.served(own), {
      subscriptions: own?.subscriptions ?? this.subscriptions,
      ...(own ? { bridge: own.bridge } : {}),
      onInstance: (server) => {
        own?.bridge.use(server);
        // Replaces the SDK's own handler, whose level only its sendLoggingMessage reads (that cannot name a request's stream).
        server.setRequestHandler("logging/setLevel", async (request, ctx) => {
          const session = ctx.sessionId === undefined ? undefined : this.sessions.get(ctx.sessionId);
          if (session !== undefined) session.logLevel = request.params.level;
          return {};
        });
      },
    });
  }

  /** What a session's requests are served with: its gateway, and which session's request runs on which provider. */
  private served(own: OwnProviders | undefined): FrontDeps {
    return {
      ...(own?.front ?? this.deps),
      onUpstream: (providerId, { requestId, sessionId }) =>
        sessionId === undefined ? () => {} : this.calls.enter(providerId, sessionId, requestId),
    };
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

  /**
   * Notes that a 2026-07-28 request (no session) runs on `providerId` until the returned function is
   * called: while it is the most recent there, what the provider asks is refused, never sent to a
   * session whose older request runs on the same provider.
   */
  enterModern(providerId: string, requestId: RequestId): () => void {
    return this.calls.enter(providerId, MODERN, requestId);
  }

  modernLatest(providerId: string): boolean {
    return this.calls.latest(providerId)?.session === MODERN;
  }

  resourceUpdated(providerId: string, uri: string): void {
    this.subscriptions.updated(providerId, uri);
    for (const session of this.sessions.values()) session.own?.resourceUpdated(providerId, uri);
  }

  /** Answers one 2025-era request to `/mcp`; `body` is the parsed JSON of a POST. */
  async handle(request: Request, body?: unknown): Promise<Response> {
    if (this.closed) return rpcError(503, -32000, "Hangar is shutting down", body);
    const id = request.headers.get("mcp-session-id");
    if (id !== null) {
      // Checked without awaiting first, so that a second request naming a session being rebuilt waits for it.
      const rebuilding = this.restoring.get(id);
      const session =
        rebuilding === undefined ? this.sessions.get(id) : await rebuilding.catch(() => this.sessions.get(id));
      if (session !== undefined) return this.serve(session, request, body);
      if (this.options.seal === undefined) return notFound(body);
      return this.restore(id, request, body);
    }
    if (request.method !== "POST" || !isInitialize(body)) {
      return rpcError(
        400,
        -32000,
        "Bad request: no Mcp-Session-Id header; start a session with an initialize request",
        body,
      );
    }
    if (this.sessions.size >= this.maxSessions && !this.dropIdle())
      return rpcError(
        503,
        -32000,
        `Too many busy sessions (the limit is ${this.maxSessions}, each with a request or stream open); retry later`,
        body,
      );
    let sealedId: string | undefined;
    const toSeal = this.options.seal === undefined ? undefined : sessionToSeal(body);
    if (toSeal !== undefined) {
      sealedId = this.options.seal?.seal(toSeal);
      if (sealedId !== undefined && sealedId.length > MAX_SEALED_ID_CHARS)
        return rpcError(
          400,
          -32600,
          `The client's capabilities and info are too large to seal into a session id (${sealedId.length} characters, at most ${MAX_SEALED_ID_CHARS})`,
          body,
        );
    }
    const session = await this.open(sealedId);
    const response = await this.serve(session, request, body);
    if (session.transport.sessionId === undefined) await this.end(session);
    return response;
  }

  /**
   * The response to `request` (body `body`) when its session's fast route takes it (fast-session.ts),
   * without `handle`'s steps: a request naming a session held here, while no seal is set (a sealed
   * session's meets the fast route in `serve`; an unsealed session's running here counts as `fast.busy`,
   * not `live`, so that the fast route stays free of `serve`'s wrapping). Undefined for anything else,
   * which `handle` serves (every POST is offered here first: `handle` does not try an unsealed session's
   * fast route again).
   */
  takeFast(request: Request, body: unknown): Promise<Response> | undefined {
    if (this.closed || this.options.seal !== undefined) return undefined;
    const id = request.headers.get("mcp-session-id");
    return id === null ? undefined : this.sessions.get(id)?.fast.take(request, body);
  }

  /** Hands a request to its session's transport, counting it live until its response ends (`dropIdle` spares it). */
  private async serve(session: Session, request: Request, body: unknown): Promise<Response> {
    const options = body === undefined ? {} : { parsedBody: body };
    // A lone request whose stream carries nothing but its answer gets that answer as plain JSON.
    const answered = request.method === "POST" ? singleRequestId(body) : undefined;
    const handle = async () => {
      // A plain call of a provider tool is answered without the SDK transport and server (fast-route.ts):
      // an unsealed session's met the fast route before `handle` (`takeFast`), a sealed one's meets it here.
      const fast = this.options.seal === undefined ? undefined : session.fast.take(request, body);
      if (fast !== undefined) return fast;
      const response = await session.transport.handleRequest(request, options);
      return answered === undefined ? response : singleAnswer(response, answered, request.signal);
    };
    const clock = this.deps.hangar.gateway.clock;
    session.live += 1;
    session.lastUsed = clock.now();
    let response: Response;
    try {
      response = await handle();
    } catch (error) {
      session.live -= 1;
      throw error;
    }
    return onBodyEnd(response, () => {
      session.live -= 1;
      session.lastUsed = clock.now();
    });
  }

  /** Serves a request naming a sealed id this process does not hold: rebuilds the session, or says 404. */
  private async restore(id: string, request: Request, body: unknown): Promise<Response> {
    const sealed = this.ended.has(id) ? undefined : this.options.seal?.open(id);
    if (sealed === undefined) return notFound(body);
    if (request.method === "DELETE") {
      // Nothing of it is held here; from now on this process refuses the id.
      this.remember(id);
      return new Response(null, { status: 200 });
    }
    if (this.sessions.size >= this.maxSessions && !this.dropIdle())
      return rpcError(503, -32000, `Too many live sessions (the limit is ${this.maxSessions}); retry later`, body);
    const rebuilt = this.open(id).then(async (session) => {
      try {
        await replayInitialize(session.transport, sealed, () => session.server.getNegotiatedProtocolVersion());
      } catch (error) {
        await this.end(session);
        throw error;
      }
      return session;
    });
    this.restoring.set(id, rebuilt);
    let session: Session;
    try {
      session = await rebuilt;
    } catch (error) {
      this.deps.logger.warn({ err: messageOf(error) }, "cannot rebuild a sealed MCP session");
      return rpcError(404, -32001, `Session cannot be served here: ${messageOf(error)}; start a new one`, body);
    } finally {
      this.restoring.delete(id);
    }
    this.deps.logger.debug(
      { created: new Date(sealed.createdAt).toISOString(), client: sealed.clientInfo.name },
      "rebuilt a sealed MCP session opened elsewhere",
    );
    return this.serve(session, request, body);
  }

  /**
   * Drops the held session idle longest (no live request or stream), to make room under the cap; false
   * when none is idle. Unsealed, that ends the session for good (its id gets 404 from then on).
   */
  private dropIdle(): boolean {
    let idle: [string, Session] | undefined;
    let idleSince = 0;
    for (const entry of this.sessions) {
      const session = entry[1];
      if (session.live > 0 || session.fast.busy) continue;
      const since = Math.max(session.lastUsed, session.fast.lastUsed);
      if (idle === undefined || since < idleSince) [idle, idleSince] = [entry, since];
    }
    if (idle === undefined) return false;
    this.sessions.delete(idle[0]);
    // Sealed, nothing is lost (the id rebuilds it); unsealed, a client may ask why its session vanished.
    if (this.options.seal === undefined)
      this.deps.logger.debug(
        { idle_s: (this.deps.hangar.gateway.clock.now() - idleSince) / 1000 },
        "ended the MCP session idle longest to make room",
      );
    void this.end(idle[1]);
    return true;
  }

  /** Remembers a sealed id ended here by DELETE (the oldest are forgotten past ENDED_REMEMBERED). */
  private remember(id: string): void {
    this.ended.add(id);
    if (this.ended.size > ENDED_REMEMBERED) this.ended.delete(this.ended.values().next().value as string);
  }

  /** Ends every session: running requests are aborted and open streams closed. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((session) => this.end(session)));
  }

  /** A fresh session on a fresh transport, not initialized yet; its id will be `sealedId` when given. */
  private async open(sealedId?: string): Promise<Session> {
    const own = this.perClient();
    const server = (own ? this.factoryOf(own) : this.factory)({ era: "legacy" });
    const catalog = (own?.front ?? this.deps).hangar.catalog;
    const subscriptions = own?.subscriptions ?? this.subscriptions;
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sealedId ?? crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => {
        this.sessions.delete(id);
        if (this.options.seal !== undefined && id !== undefined) this.remember(id);
      },
    });
    const stopFollowing = catalog.onChange((kinds) => sendListChanged(server, "legacy", kinds, this.deps.logger));
    const fast = new FastSessionTransport(transport, this.served(own));
    fast.use(server);
    const session: Session = {
      server,
      transport,
      fast,
      stopFollowing,
      own,
      logLevel: undefined,
      live: 0,
      lastUsed: this.deps.hangar.gateway.clock.now(),
    };
    fast.onclose = () => {
      if (transport.sessionId !== undefined) this.sessions.delete(transport.sessionId);
      stopFollowing();
      subscriptions.forget(server);
      void own?.close();
    };
    fast.onerror = (error) => this.deps.logger.debug({ err: error.message }, "bad message from an HTTP client");
    server.oninitialized = () => {
      // A session with its own gateway warms that up; the shared one only for sessions that use it.
      if (own) return own.warmUp();
      if (this.firstSeen) return;
      this.firstSeen = true;
      this.options.onFirstSession?.();
    };
    await server.connect(fast);
    return session;
  }

  private async end(session: Session): Promise<void> {
    session.stopFollowing();
    await session.server
      .close()
      .catch((error: unknown) => this.deps.logger.debug({ err: messageOf(error) }, "cannot close an MCP session"));
    await session.own?.close();
  }
}

function notFound(body: unknown): Response {
  return rpcError(404, -32001, "Session not found; start a new one with initialize", body);
}

/** Whether a POST body is (or, as a batch, holds) an initialize request. */
function isInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some((message) => isInitializeRequest(message as JSONRPCMessage));
}

/** The id of a POST body that is one JSON-RPC request (not a batch, notification or response). */
function singleRequestId(body: unknown): string | number | undefined {
  if (typeof body !== "object" || body === null || !("method" in body)) return undefined;
  return requestIdOf(body) ?? undefined;
}
