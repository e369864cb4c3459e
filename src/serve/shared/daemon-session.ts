import type { Socket } from "node:net";
import type { LoggingLevel, Server } from "@modelcontextprotocol/server";
import { type StdioServerHandle, serveStdio } from "@modelcontextprotocol/server/stdio";
import { messageOf } from "../../errors.ts";
import { FastRouteTransport } from "../fast-route-transport.ts";
import type { FrontDeps } from "../front-deps.ts";
import { type Era, frontFactory, sendListChanged } from "../front-factory.ts";
import type { ProviderCalls } from "../http/provider-calls.ts";
import { relayCodec } from "../input-relay.ts";
import { ListenTransport } from "../listen-transport.ts";
import type { OwnProviders } from "../per-client.ts";
import { ResourceListens } from "../resource-listens.ts";
import type { ResourceSubscriptions } from "../resource-subscriptions.ts";
import { SocketServerTransport } from "./socket-transport.ts";

/** What every session of one daemon shares. */
export interface DaemonSessionDeps {
  readonly front: FrontDeps;
  readonly subscriptions: ResourceSubscriptions;
  /** Which session's request runs on which provider (where a provider's sampling and logs go). */
  readonly calls: ProviderCalls<DaemonSession>;
  /** Told once this session's client has initialized (a 2026 client: at its first request). */
  readonly onInitialized: () => void;
  /** Gives the session its own instances of the `per_client` providers (default: none are). */
  readonly perClient?: (() => OwnProviders | undefined) | undefined;
}

/** Who is attached, as `hangar status` shows it. */
export interface SessionInfo {
  readonly pid: number | undefined;
  readonly client: string | undefined;
  readonly attached_s: number;
  /** The client's own instances of `per_client` providers. */
  readonly own_providers?: { id: string; state: string; pid?: number }[];
}

/**
 * One client attached to the shared daemon, served the way `hangar serve` serves its stdin: the SDK's
 * `serveStdio` over the client's socket, one instance from the front's factory pinned to the
 * connection in either protocol era. As an HTTP session it has its own progress tokens, cancellations,
 * subscriptions, list_changed and log level, all on the daemon's one Gateway and Catalog (or, when the
 * config has `per_client` providers, on a gateway of its own that holds its own instances of those and
 * borrows every other provider from the daemon's). When its connection ends, the requests still
 * running are cancelled: the bridge closes it only once every request was answered (its stdin ended)
 * or its client is gone.
 */
export class DaemonSession {
  /** The level of the client's `logging/setLevel`, once it sent one. */
  logLevel: LoggingLevel | undefined;
  /** Resolves once the session is over and its socket closed. */
  readonly closed: Promise<void>;
  private readonly transport: SocketServerTransport;
  private readonly handle: StdioServerHandle;
  private readonly stopFollowing: () => void;
  private readonly startedAt: number;
  private readonly own: OwnProviders | undefined;
  private readonly subscriptions: ResourceSubscriptions;
  /** The instance serving the connection (the last one built: a discarded server/discover probe comes first). */
  private current: { server: Server; era: Era } | undefined;
  private ended = false;

  constructor(
    private readonly socket: Socket,
    rest: Buffer,
    private readonly deps: DaemonSessionDeps,
    /** The bridge's pid, from its hello line. */
    readonly pid: number | undefined,
  ) {
    const { logger } = deps.front;
    this.startedAt = deps.front.hangar.gateway.clock.now();
    this.own = deps.perClient?.();
    const front = this.own?.front ?? deps.front;
    this.subscriptions = this.own?.subscriptions ?? deps.subscriptions;
    this.transport = new SocketServerTransport(socket, rest, () => void this.end());
    const initialized = () => {
      deps.onInitialized();
      this.own?.warmUp();
    };
    const served: FrontDeps = {
      ...front,
      onUpstream: (providerId, { requestId }) => deps.calls.enter(providerId, this, requestId),
    };
    // Plain calls of provider tools skip the SDK server once the client initialized (fast-route.ts).
    const relay = relayCodec();
    const fast = new FastRouteTransport(this.transport, served, relay);
    // A 2026 client's listen follows its resources upstream; updates go out on its listen streams.
    const sink = {
      sendResourceUpdated: (params: { uri: string }) =>
        this.current?.era === "modern" ? this.current.server.sendResourceUpdated(params) : Promise.resolve(),
    };
    const listening = new ListenTransport(fast, new ResourceListens(this.subscriptions, sink, logger));
    const factory = frontFactory(served, {
      subscriptions: this.subscriptions,
      relay,
      ...(this.own ? { bridge: this.own.bridge } : {}),
      onInstance: (server, era) => {
        this.current = { server, era };
        this.own?.bridge.use(server);
        fast.use(server, era);
        // As over HTTP: the level must be known per request stream, which the SDK's own handler cannot do.
        server.setRequestHandler("logging/setLevel", async (request) => {
          this.logLevel = request.params.level;
          return {};
        });
        if (era === "modern") initialized();
        else server.oninitialized = initialized;
      },
    });
    this.handle = serveStdio(factory, {
      transport: listening,
      onerror: (error) => logger.debug({ err: error.message }, "bad message from a client"),
    });
    this.stopFollowing = front.hangar.catalog.onChange((kinds) => {
      if (this.current) sendListChanged(this.current.server, this.current.era, kinds, logger);
    });
    const closed = Promise.withResolvers<void>();
    this.closed = closed.promise;
    socket.on("close", () => {
      void this.end().finally(() => closed.resolve());
    });
    socket.on("error", (error) => logger.debug({ err: error.message }, "client socket error"));
  }

  /** The instance serving the client, once its first message chose one. */
  get server(): Server | undefined {
    return this.current?.server;
  }

  /** A shared provider's resource changed: told to this client when it subscribed through its own providers' front. */
  resourceUpdated(providerId: string, uri: string): void {
    this.own?.resourceUpdated(providerId, uri);
  }

  /** Who this is, for `hangar status`. */
  info(): SessionInfo {
    const client = this.current?.server.getClientVersion();
    return {
      pid: this.pid,
      client: client === undefined ? undefined : `${client.name} ${client.version}`,
      attached_s: Math.round((this.deps.front.hangar.gateway.clock.now() - this.startedAt) / 1000),
      ...(this.own ? { own_providers: this.own.providers() } : {}),
    };
  }

  /** Ends the session now: running requests are cancelled, the socket closed. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.stopFollowing();
    if (this.current) this.subscriptions.forget(this.current.server);
    await this.handle
      .close()
      .catch((error: unknown) => this.deps.front.logger.debug({ err: messageOf(error) }, "cannot close a session"));
    this.socket.destroy();
    await this.own?.close();
  }
}
