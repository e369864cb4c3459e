import { createMcpHandler, isLegacyRequest, type McpHttpHandler } from "@modelcontextprotocol/server";
import { CancelledError } from "../../errors.ts";
import type { ExposedCatalog } from "../exposed-catalog.ts";
import { fastCallOf } from "../fast-route.ts";
import type { FrontDeps } from "../front-deps.ts";
import { frontFactory } from "../front-factory.ts";
import { type RelayCodec, relayCodec } from "../input-relay.ts";
import { isListenRequest, ResourceListens } from "../resource-listens.ts";
import { fastModernAnswer } from "./fast-modern.ts";
import { McpSessions, type McpSessionsOptions } from "./mcp-sessions.ts";
import { HEADER_MISMATCH, type ParamHeader, paramHeaderProblem, paramHeaders } from "./param-headers.ts";
import { requestIdOf, rpcError } from "./rpc-error.ts";
import { onBodyEnd } from "./sealed-session.ts";

/** Options of `McpEndpoint`; every field says its default. */
export interface McpEndpointOptions extends McpSessionsOptions {
  /** Called once, at the first client of either era (e.g. to warm up the catalog); replaces `onFirstSession`. */
  readonly onFirstClient?: () => void;
  /** Seals the `requestState` of relayed multi-round-trip calls (default: a key of this process's own). */
  readonly relay?: RelayCodec;
}

/**
 * `/mcp` in both protocol eras. A 2025 request (an `initialize`, anything naming a session in
 * `Mcp-Session-Id`, anything without the 2026 `_meta` envelope) goes to the sessions, as before; every
 * other request to one `createMcpHandler` built once per process with the front's factory: a fresh
 * server per request, no session, so any Hangar process with the same config can answer it. The SDK
 * checks the 2026 request (envelope, `MCP-Protocol-Version`, `Mcp-Method`/`Mcp-Name`; Hangar checks a
 * relayed tool's `Mcp-Param-*` headers, param-headers.ts) and answers
 * `server/discover` and `subscriptions/listen`; a client cancels a call by closing its stream. A listen's
 * resources are followed upstream (resource-listens.ts) while its stream lives, over the same
 * subscriptions as the 2025 sessions', and their updates go to the listens naming them.
 */
export class McpEndpoint {
  /** The 2025-era sessions (what a provider's sampling, elicitation and logs are routed to). */
  readonly sessions: McpSessions;
  private readonly modern: McpHttpHandler;
  /** What 2026 requests are served with (the SDK's handler and the fast route alike). */
  private readonly modernDeps: FrontDeps;
  private readonly relay: RelayCodec;
  private readonly listens: ResourceListens;
  private readonly stopFollowing: () => void;
  private readonly onFirstClient: () => void;
  /** The fast-routed 2026 calls running now, aborted when the endpoint closes. */
  private readonly running = new Set<AbortController>();
  private closed = false;
  /** Each exposed tool's `Mcp-Param-*` headers, for the catalog view they were read from (views are immutable). */
  private declared: { view: ExposedCatalog; byTool: Map<string, readonly ParamHeader[]> } | undefined;

  constructor(
    private readonly deps: FrontDeps,
    options: McpEndpointOptions = {},
  ) {
    let first = false;
    const firstClient = () => {
      if (first) return;
      first = true;
      options.onFirstClient?.();
    };
    this.sessions = new McpSessions(deps, { ...options, onFirstSession: firstClient });
    // A 2026 request's provider traffic is noted too, so a provider's requests never reach a 2025 session meanwhile.
    this.modernDeps = {
      ...deps,
      onUpstream: (providerId, { requestId }) => this.sessions.enterModern(providerId, requestId),
    };
    this.relay = options.relay ?? relayCodec();
    this.onFirstClient = firstClient;
    this.modern = createMcpHandler(
      frontFactory(this.modernDeps, {
        onInstance: firstClient,
        subscriptions: this.sessions.subscriptions,
        relay: this.relay,
      }),
      {
        legacy: "reject",
        onerror: (error) => deps.logger.debug({ err: error.message }, "bad 2026 request from an HTTP client"),
      },
    );
    const sink = {
      sendResourceUpdated: async ({ uri }: { uri: string }) => this.modern.notify.resourceUpdated(uri),
    };
    this.listens = new ResourceListens(this.sessions.subscriptions, sink, deps.logger);
    this.stopFollowing = deps.hangar.catalog.onChange((kinds) => {
      if (kinds.has("tools")) this.modern.notify.toolsChanged();
      if (kinds.has("prompts")) this.modern.notify.promptsChanged();
      if (kinds.has("resources")) this.modern.notify.resourcesChanged();
    });
  }

  /** Answers one request to `/mcp`; `body` is the parsed JSON of a POST. */
  async handle(request: Request, body?: unknown): Promise<Response> {
    if (this.closed) return rpcError(503, -32000, "Hangar is shutting down", body);
    if (request.headers.has("mcp-session-id") || (!modernCall(body) && (await isLegacyRequest(request, body))))
      return this.sessions.handle(request, body);
    const mismatch = await this.paramHeaderMismatch(request, body);
    if (mismatch) return mismatch;
    if (isListenRequest(body)) return this.listen(request, body);
    // A plain call of a provider tool skips the SDK's handler and server (fast-modern.ts).
    const fast = fastModernAnswer(this.modernDeps, request, body, this.relay, this.running);
    if (fast) {
      this.onFirstClient();
      return fast;
    }
    return this.modern.fetch(request, body === undefined ? {} : { parsedBody: body });
  }

  /**
   * The response to a 2025 session's POST (body `body`) when the session's fast route takes it, with
   * nothing of `handle` before it; undefined for anything else, which `handle` answers. Offer every POST
   * here first: `handle` takes only a sealed session's calls on the fast route.
   */
  takeFast(request: Request, body: unknown): Promise<Response> | undefined {
    return this.closed ? undefined : this.sessions.takeFast(request, body);
  }

  /** A 2026 `subscriptions/listen`: its resources followed upstream from before its acknowledgement until its stream ends. */
  private async listen(request: Request, body: Parameters<ResourceListens["open"]>[0]): Promise<Response> {
    const listen = await this.listens.open(body, request.signal);
    const end = () => {
      request.signal.removeEventListener("abort", end);
      listen.close();
    };
    if (request.signal.aborted) end();
    else request.signal.addEventListener("abort", end, { once: true });
    return onBodyEnd(await this.modern.fetch(request, { parsedBody: listen.message }), end);
  }

  /**
   * For a 2026 `tools/call` of a relayed tool that mirrors arguments in `Mcp-Param-*` headers (SEP-2243):
   * a 400 HeaderMismatch when the headers and the arguments disagree; undefined otherwise (the SDK checks
   * the standard headers, and the tool's own schema the arguments).
   */
  private async paramHeaderMismatch(request: Request, body: unknown): Promise<Response | undefined> {
    const call = body as { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | undefined;
    if (call?.method !== "tools/call" || typeof call.params?.name !== "string") return undefined;
    const name = call.params.name;
    let declared = this.declaredOf(name);
    if (declared === undefined) {
      await this.deps.hangar.catalog.settled();
      declared = this.declaredOf(name);
    }
    if (declared === undefined || declared.length === 0) return undefined;
    const problem = paramHeaderProblem(declared, call.params.arguments, request.headers);
    if (problem === undefined) return undefined;
    return Response.json(
      {
        jsonrpc: "2.0",
        id: requestIdOf(body),
        error: { code: HEADER_MISMATCH, message: `Bad Request: the request headers and body disagree: ${problem}` },
      },
      { status: 400 },
    );
  }

  /**
   * The `Mcp-Param-*` headers the exposed tool `name` declares (undefined: no such tool now), read once
   * per catalog view rather than listing every tool on every call.
   */
  private declaredOf(name: string): readonly ParamHeader[] | undefined {
    const view = this.deps.hangar.catalog.exposed;
    if (this.declared?.view !== view) {
      const byTool = new Map<string, readonly ParamHeader[]>();
      for (const tool of view.tools()) byTool.set(tool.name, paramHeaders(tool.inputSchema));
      this.declared = { view, byTool };
    }
    return this.declared.byTool.get(name);
  }

  /** Ends every session and every running 2026 request. */
  async close(): Promise<void> {
    this.closed = true;
    const closing = new CancelledError("Hangar is shutting down");
    for (const call of this.running) call.abort(closing);
    this.stopFollowing();
    await Promise.all([this.sessions.close(), this.modern.close()]);
  }
}

/**
 * Whether `body` is a 2026 `tools/call` the fast route may take (fast-route.ts): it carries the
 * 2026-07-28 envelope claim, which the SDK's `isLegacyRequest` always classifies as modern, so its
 * schema pass over the body is skipped for the commonest 2026 request.
 */
function modernCall(body: unknown): boolean {
  return fastCallOf(body, "modern") !== undefined;
}
