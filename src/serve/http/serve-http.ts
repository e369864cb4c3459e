import { messageOf, UsageError } from "../../errors.ts";
import type { Gateway, GatewayDeps } from "../../gateway/index.ts";
import type { Logger } from "../../observability/log.ts";
import { type Listener, listen } from "../../runtime/index.ts";
import { Catalog } from "../catalog.ts";
import { CatalogCache } from "../catalog-cache.ts";
import { HANGAR_TOOL_NAMES } from "../hangar-tools.ts";
import { isLoopback } from "./host-check.ts";
import { createHttpApp } from "./http-app.ts";
import type { MetricsEndpoint } from "./probes.ts";
import { SessionBridge } from "./session-bridge.ts";

/** What `serveHttp` needs; every field says its default. */
export interface ServeHttpOptions {
  /**
   * Builds the gateway (after the options are checked, so a refused start spawns nothing), with the
   * metrics `/metrics` serves (none: 503 "metrics not enabled") and what to flush after it closes.
   */
  openGateway(
    deps: Pick<GatewayDeps, "bridge">,
  ): Promise<{ gateway: Gateway; logger: Logger; metrics?: MetricsEndpoint; shutdown?: () => Promise<void> }>;
  /** Aborts on SIGINT or SIGTERM (the CLI's lifecycle; never SIGHUP or the parent's death): Hangar shuts down. */
  readonly signal: AbortSignal;
  /** Address to bind (default 127.0.0.1). Anything but loopback needs `token`. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (default 8000). */
  readonly port?: number;
  /** Bearer token clients must send (default none). */
  readonly token?: string;
  /** Also require the token on /healthz, /readyz and /metrics (default false). */
  readonly protectHealth?: boolean;
  /** Where provider catalogs are cached (default `$HANGAR_CACHE_DIR` or `~/.hangar/cache`). */
  readonly cache?: CatalogCache;
  /** Told the URL of `/mcp` once Hangar listens (default: one line on stderr). */
  readonly onListening?: (url: string) => void;
  /** How long running requests may take to be answered at shutdown, in ms (default 5000). */
  readonly drainMs?: number;
  /** The longest a request body may take to arrive, in ms (default 30 000). */
  readonly bodyTimeoutMs?: number;
  /** Seconds a connection may stay quiet, 1–255, unless a running request keeps it open (default 10, Bun's). */
  readonly idleTimeoutS?: number;
}

/**
 * `hangar serve --http`: listens until the signal aborts, then stops accepting connections, cancels
 * every running call (upstream too), ends every session, stops every provider and closes the socket.
 * Throws UsageError, before starting anything, for a non-loopback bind without a token.
 */
export async function serveHttp(options: ServeHttpOptions): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token === "" ? undefined : options.token;
  if (!isLoopback(host) && token === undefined) {
    throw new UsageError(
      `Refusing to listen on ${host} without a bearer token: pass --token or set $HANGAR_TOKEN (or bind 127.0.0.1)`,
    );
  }
  const bridge = new SessionBridge();
  const { gateway, logger, metrics, shutdown } = await options.openGateway({ bridge });
  const catalog = new Catalog(gateway, {
    reserved: HANGAR_TOOL_NAMES,
    cache: options.cache ?? new CatalogCache(),
    logger,
  });
  let server: Listener | undefined;
  const front = createHttpApp(
    { gateway, catalog, logger, startedAt: gateway.clock.now() },
    {
      host,
      port: () => server?.port ?? 0,
      ...(token === undefined ? {} : { token }),
      ...(options.protectHealth ? { protectHealth: true } : {}),
      ...(metrics ? { metrics } : {}),
      ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
      keepOpen: (request) => server?.keepOpen(request),
    },
  );
  bridge.use(front.sessions);
  try {
    server = listen({
      hostname: host,
      port: options.port ?? 8000,
      idleTimeoutS: options.idleTimeoutS ?? 10,
      fetch: (request) => front.app.fetch(request),
    });
  } catch (error) {
    await gateway.close();
    catalog.close();
    await shutdown?.();
    const port = options.port ?? 8000;
    const code = (error as { code?: string }).code;
    const inUse = code === "EADDRINUSE" || /in use/i.test((error as Error).message);
    const reason = inUse
      ? `port ${port} is in use; pick another with --port (0 picks a free one)`
      : (error as Error).message;
    throw new UsageError(`Cannot listen on ${host}:${port}: ${reason}`);
  }
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${server.port}/mcp`;
  (options.onListening ?? ((u: string) => process.stderr.write(`Hangar serving MCP on ${u}\n`)))(url);
  logger.info({ url, providers: gateway.handles.size, auth: token !== undefined }, "serving MCP over HTTP");

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  logger.warn({ reason: messageOf(options.signal.reason) }, "shutting down the HTTP front");
  front.drain();
  const stopped = server.stop(false);
  await gateway.close();
  await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 5000).unref())]);
  await front.sessions.close();
  catalog.close();
  await server.stop(true);
  await shutdown?.();
}
