import type { Server } from "@modelcontextprotocol/server";
import { serveStdio as serveMcpStdio } from "@modelcontextprotocol/server/stdio";
import { messageOf } from "../errors.ts";
import type { GatewayDeps } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { TransportObserver } from "./early/answer-recorder.ts";
import type { EarlyHandover } from "./early/early-reader.ts";
import { FastRouteTransport } from "./fast-route-transport.ts";
import { type Era, frontFactory, once, sendListChanged } from "./front-factory.ts";
import type { FrontHangar } from "./front-hangar.ts";
import type { MetricsEndpoint } from "./http/probes.ts";
import { relayCodec } from "./input-relay.ts";
import { ListenTransport } from "./listen-transport.ts";
import { listenProbes } from "./probe-listener.ts";
import { ResourceListens } from "./resource-listens.ts";
import { ResourceSubscriptions } from "./resource-subscriptions.ts";
import { ServerBridge } from "./server-bridge.ts";
import { StdioServerTransport } from "./stdio-server-transport.ts";
import { TaskRelay } from "./task-relay.ts";

/** What `serveStdio` needs; every field says its default. */
export interface ServeStdioOptions {
  /**
   * Opens the library's Hangar (its gateway, and its catalog with the cache of provider catalogs) once
   * the bridge to the client exists, so providers can reach the client. Serving closes it.
   */
  openHangar(
    deps: Pick<GatewayDeps, "bridge">,
  ): Promise<{ hangar: FrontHangar; logger: Logger; metrics?: MetricsEndpoint; observer?: TransportObserver }>;
  /** Takes the connection over from the early reader, which answered the handshake (default: none; early/). */
  readonly handover?: () => EarlyHandover;
  /**
   * Whether the tools the early reader listed may differ from the gateway's (default: never): asked once
   * the client has initialized, and a yes is told to it as tools/list_changed.
   */
  readonly earlyListStale?: () => boolean;
  /** Serve `/metrics`, `/healthz` and `/readyz` on this 127.0.0.1 port too (default: not at all). */
  readonly metricsPort?: number;
  /** Told the probes' base URL once they listen (default: one line on stderr). */
  readonly onProbesListening?: (url: string) => void;
  /** Aborts on SIGINT, SIGTERM, SIGHUP or the death of hangar's parent: running calls are cancelled (logged at warn). */
  readonly signal: AbortSignal;
  /** How long answers of cancelled calls may take to be written at shutdown, in ms (default 2000). */
  readonly drainMs?: number;
}

/**
 * `hangar serve` over stdio until the client goes away, in both protocol eras: a 2026-07-28 client
 * (`server/discover`, per-request `_meta`, `subscriptions/listen`) and a 2025 one (`initialize`), one
 * connection pinned to one era by the SDK's `serveStdio`, on Hangar's own transport (its line checks
 * and error answers). At stdin's end, requests still running are finished and answered first; on a
 * signal they are cancelled (upstream too) and answered as cancelled. Either way every provider is
 * stopped and stdout is flushed before this resolves.
 */
export async function serveStdio(options: ServeStdioOptions): Promise<void> {
  const bridge = new ServerBridge();
  const { hangar, logger, metrics, observer } = await options.openHangar({ bridge });
  const { gateway, catalog } = hangar;
  const probes =
    options.metricsPort === undefined || metrics === undefined
      ? undefined
      : listenProbes({ gateway, metrics, port: options.metricsPort });
  if (probes)
    (options.onProbesListening ?? ((url: string) => process.stderr.write(`Hangar metrics on ${url}/metrics\n`)))(
      probes.url,
    );
  const ended = Promise.withResolvers<void>();
  const transport = new StdioServerTransport({
    onEnd: () => ended.resolve(),
    ...(options.handover ? { handover: options.handover } : {}),
    ...(observer ? { observer } : {}),
  });
  const subscriptions = new ResourceSubscriptions(gateway, catalog, logger);
  bridge.onResourceUpdated = (providerId, uri) => subscriptions.updated(providerId, uri);
  const warmUp = new AbortController();
  const startWarmUp = once(() => {
    catalog
      .warmUp(warmUp.signal)
      .catch((error: unknown) => logger.warn({ err: String(error) }, "catalog warm-up failed"));
  });
  // The instance serving the connection (the last one built: a discarded server/discover probe comes first).
  let current: { server: Server; era: Era } | undefined;
  const deps = { hangar, logger, tasks: new TaskRelay(hangar.gateway) };
  // Plain calls of provider tools skip the SDK server once the client initialized (fast-route.ts).
  const relay = relayCodec();
  const fast = new FastRouteTransport(transport, deps, relay);
  // A 2026 client's listen follows its resources upstream; updates go out on its listen streams.
  const sink = {
    sendResourceUpdated: (params: { uri: string }) =>
      current?.era === "modern" ? current.server.sendResourceUpdated(params) : Promise.resolve(),
  };
  const listening = new ListenTransport(fast, new ResourceListens(subscriptions, sink, logger));
  const handle = serveMcpStdio(
    frontFactory(deps, {
      subscriptions,
      bridge,
      relay,
      onInstance: (server, era) => {
        current = { server, era };
        bridge.use(server);
        fast.use(server, era);
        if (era === "modern") startWarmUp();
        else
          server.oninitialized = () => {
            startWarmUp();
            if (options.earlyListStale?.()) sendListChanged(server, era, new Set(["tools"]), logger);
          };
      },
    }),
    {
      transport: listening,
      onerror: (error) => logger.debug({ err: error.message }, "bad message from the client"),
    },
  );
  const stopFollowing = catalog.onChange((kinds) => {
    if (current === undefined) return;
    sendListChanged(current.server, current.era, kinds, logger);
  });
  logger.info({ providers: gateway.handles.size }, "serving MCP on stdio");

  const signalled = new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  try {
    await Promise.race([ended.promise, signalled]);
    if (!options.signal.aborted) {
      logger.info("stdin closed; finishing the requests still running");
      // No request needs the warm-up's starts: abandoning them kills their processes now.
      warmUp.abort();
      await Promise.race([transport.idle(), signalled]);
    }
    if (options.signal.aborted) logger.warn({ reason: messageOf(options.signal.reason) }, "shutting down");
  } finally {
    // Whatever failed above, the providers are stopped: running ones would keep hangar alive for ever.
    warmUp.abort();
    probes?.stop();
    await hangar.close();
  }
  await Promise.race([
    transport.idle(),
    new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 2000).unref()),
  ]);
  stopFollowing();
  await transport.flush();
  // Ends the client's subscriptions/listen streams (answered), closes the instance and the transport.
  await handle.close();
  await transport.flush();
}
