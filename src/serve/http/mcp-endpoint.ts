import { createMcpHandler, isLegacyRequest, type McpHttpHandler } from "@modelcontextprotocol/server";
import type { FrontDeps } from "../front-deps.ts";
import { frontFactory } from "../front-factory.ts";
import type { RelayCodec } from "../input-relay.ts";
import { McpSessions, type McpSessionsOptions } from "./mcp-sessions.ts";
import { rpcError } from "./rpc-error.ts";

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
 * checks the 2026 request (envelope, `MCP-Protocol-Version`, `Mcp-Method`/`Mcp-Name`) and answers
 * `server/discover` and `subscriptions/listen`; a client cancels a call by closing its stream.
 */
export class McpEndpoint {
  /** The 2025-era sessions (what a provider's sampling, elicitation and logs are routed to). */
  readonly sessions: McpSessions;
  private readonly modern: McpHttpHandler;
  private readonly stopFollowing: () => void;
  private closed = false;

  constructor(deps: FrontDeps, options: McpEndpointOptions = {}) {
    let first = false;
    const firstClient = () => {
      if (first) return;
      first = true;
      options.onFirstClient?.();
    };
    this.sessions = new McpSessions(deps, { ...options, onFirstSession: firstClient });
    this.modern = createMcpHandler(
      frontFactory(deps, { onInstance: firstClient, ...(options.relay ? { relay: options.relay } : {}) }),
      {
        legacy: "reject",
        onerror: (error) => deps.logger.debug({ err: error.message }, "bad 2026 request from an HTTP client"),
      },
    );
    this.stopFollowing = deps.hangar.catalog.onChange((kinds) => {
      if (kinds.has("tools")) this.modern.notify.toolsChanged();
      if (kinds.has("prompts")) this.modern.notify.promptsChanged();
      if (kinds.has("resources")) this.modern.notify.resourcesChanged();
    });
  }

  /** Answers one request to `/mcp`; `body` is the parsed JSON of a POST. */
  async handle(request: Request, body?: unknown): Promise<Response> {
    if (this.closed) return rpcError(503, -32000, "Hangar is shutting down", body);
    if (request.headers.has("mcp-session-id") || (await isLegacyRequest(request, body)))
      return this.sessions.handle(request, body);
    return this.modern.fetch(request, body === undefined ? {} : { parsedBody: body });
  }

  /** Ends every session and every running 2026 request. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopFollowing();
    await Promise.all([this.sessions.close(), this.modern.close()]);
  }
}
