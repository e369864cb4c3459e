import type { McpRequestContext, Server } from "@modelcontextprotocol/server";
import { messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import type { ListKind } from "./catalog.ts";
import type { Era } from "./era.ts";
import type { FrontDeps } from "./front-deps.ts";
import { type RelayCodec, relayCodec } from "./input-relay.ts";
import type { ResourceSubscriptions } from "./resource-subscriptions.ts";
import { createServer, serveGateway } from "./server.ts";
import type { ServerBridge } from "./server-bridge.ts";

export type { Era } from "./era.ts";

/** Options of `frontFactory`; every field says its default. */
export interface FrontFactoryOptions {
  /**
   * Serves `resources/subscribe` and `/unsubscribe` on 2025-era instances, and says 2026-era ones honor
   * `resourceSubscriptions` in `subscriptions/listen` (the entry follows them: resource-listens.ts)
   * (default: neither offered).
   */
  readonly subscriptions?: ResourceSubscriptions;
  /** Told when the client's roots change (default: nobody; stdio's `ServerBridge`). */
  readonly bridge?: ServerBridge;
  /** Told about each new instance before it connects: the entry's own wiring (default: nothing). */
  readonly onInstance?: (server: Server, era: Era) => void;
  /**
   * Seals the `requestState` of relayed multi-round-trip calls (default: a key of this factory's own,
   * which only works where one process serves every round: stdio).
   */
  readonly relay?: RelayCodec;
}

/**
 * The one factory of Hangar's front, for every serving entry: `serveStdio` calls it per connection,
 * the HTTP front per 2025 session and per 2026 request. Each instance serves the same gateway and
 * catalog; 2025-era instances also serve resource subscriptions (a 2026 client follows resources with
 * `subscriptions/listen`, which the SDK's entries answer and Hangar's follow upstream).
 */
export function frontFactory(deps: FrontDeps, options: FrontFactoryOptions = {}): (ctx: McpRequestContext) => Server {
  const relay = options.relay ?? relayCodec();
  return ({ era }) => {
    const server = createServer(relay);
    serveGateway(server, deps, { bridge: options.bridge, era, relay });
    if (era === "legacy") options.subscriptions?.serveOn(server);
    else {
      if (options.subscriptions) server.registerCapabilities({ resources: { subscribe: true } });
      deps.tasks?.serveOn(server);
    }
    options.onInstance?.(server, era);
    return server;
  };
}

/**
 * Sends `server`'s client list_changed for each kind of list in `kinds` (a 2025 client only once it
 * initialized). On a 2026 instance the serving entry turns them into notifications on the client's
 * `subscriptions/listen` streams; a failure to send is logged at debug.
 */
export function sendListChanged(server: Server, era: Era, kinds: ReadonlySet<ListKind>, logger: Logger): void {
  if (era === "legacy" && server.getClientVersion() === undefined) return;
  const send = (promise: Promise<void>) =>
    promise.catch((error: unknown) => logger.debug({ err: messageOf(error) }, "cannot send list_changed"));
  if (kinds.has("tools")) send(server.sendToolListChanged());
  if (kinds.has("prompts")) send(server.sendPromptListChanged());
  if (kinds.has("resources")) send(server.sendResourceListChanged());
}

/** Runs `start` the first time it is called, never again (the catalog's warm-up, on the first client). */
export function once(start: () => void): () => void {
  let started = false;
  return () => {
    if (started) return;
    started = true;
    start();
  };
}
