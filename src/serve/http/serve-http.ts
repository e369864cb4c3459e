import { messageOf, UsageError } from "../../errors.ts";
import type { GatewayDeps } from "../../gateway/index.ts";
import type { Logger } from "../../observability/log.ts";
import { type Listener, listen } from "../../runtime/index.ts";
import { deadline, linkSignals } from "../../scheduler/index.ts";
import type { FrontHangar } from "../front-hangar.ts";
import { InFlight } from "../in-flight.ts";
import { TaskIds } from "../task-ids.ts";
import { TaskRelay } from "../task-relay.ts";
import { isLoopback } from "./host-check.ts";
import { createHttpApp } from "./http-app.ts";
import type { MetricsEndpoint } from "./probes.ts";
import { SessionBridge } from "./session-bridge.ts";
import type { SessionSeal } from "./session-seal.ts";

/** What `serveHttp` needs; every field says its default. */
export interface ServeHttpOptions {
  /**
   * Opens the library's Hangar (after the options are checked, so a refused start spawns nothing), with
   * the metrics `/metrics` serves (none: 503 "metrics not enabled") and what to flush after it closes.
   * Serving closes the Hangar.
   */
  openHangar(deps: Pick<GatewayDeps, "bridge">): Promise<{
    hangar: FrontHangar;
    logger: Logger;
    metrics?: MetricsEndpoint;
    shutdown?: () => Promise<void>;
  }>;
  /** Aborts on SIGINT or SIGTERM (the CLI's lifecycle; never SIGHUP or the parent's death): Hangar drains, then shuts down. */
  readonly signal: AbortSignal;
  /** Aborts on a second SIGINT or SIGTERM: what still runs is cancelled at once (default: never). */
  readonly forced?: AbortSignal;
  /** Address to bind (default 127.0.0.1). Anything but loopback needs `token`. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one (default 8000). */
  readonly port?: number;
  /** Bearer token clients must send (default none). */
  readonly token?: string;
  /** Also require the token on /healthz, /readyz and /metrics (default false). */
  readonly protectHealth?: boolean;
  /** Told the URL of `/mcp` once Hangar listens (default: one line on stderr). */
  readonly onListening?: (url: string) => void;
  /** How long running requests get to finish after `signal` aborts, in ms (default 5000; `--drain-s`). */
  readonly drainMs?: number;
  /** The longest a request body may take to arrive, in ms (default 30 000). */
  readonly bodyTimeoutMs?: number;
  /** Seals 2025 session ids with the replicas' shared key, so any replica serves any session (default: none). */
  readonly seal?: SessionSeal;
  /** Seconds a connection may stay quiet, 1–255, unless a running request keeps it open (default 10, Bun's). */
  readonly idleTimeoutS?: number;
}

/**
 * `hangar serve --http`: listens until the signal aborts, then drains: `/readyz` answers 503 at once
 * (so a load balancer stops sending), requests keep being answered, and once none is running (GETs,
 * which are probes and session streams, do not count), the drain period is over or `forced` aborts,
 * it stops accepting connections, cancels every call still running (upstream too), ends every
 * session, stops every provider and closes the socket. Throws UsageError, before starting anything,
 * for a non-loopback bind without a token.
 */
export async function serveHttp(options: ServeHttpOptions): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token === "" ? undefined : options.token;
  if (!isLoopback(host) && token === undefined) {
    throw new UsageError(
      `Refusing to listen on ${host} without a bearer token: pass --token or --token-file, or set $HANGAR_TOKEN or $HANGAR_TOKEN_FILE (or bind 127.0.0.1)`,
    );
  }
  const bridge = new SessionBridge();
  const { hangar, logger, metrics, shutdown } = await options.openHangar({ bridge });
  const { gateway } = hangar;
  let server: Listener | undefined;
  const inFlight = new InFlight();
  // Task ids sealed with what replicas share (the session key, else the token): any replica serves any task.
  const tasks = new TaskRelay(gateway, new TaskIds(options.seal?.replicaSecret ?? token));
  const front = createHttpApp(
    { hangar, logger, tasks },
    {
      host,
      port: () => server?.port ?? 0,
      ...(token === undefined ? {} : { token }),
      ...(options.protectHealth ? { protectHealth: true } : {}),
      ...(metrics ? { metrics } : {}),
      ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
      ...(options.seal === undefined ? {} : { seal: options.seal }),
      keepOpen: (request) => server?.keepOpen(request),
    },
  );
  bridge.use(front.sessions);
  try {
    server = listen({
      hostname: host,
      port: options.port ?? 8000,
      idleTimeoutS: options.idleTimeoutS ?? 10,
      // GETs (probes, /metrics, a session's SSE stream, open for its whole life) never hold up a drain.
      fetch: (request) =>
        request.method === "GET" ? front.fetch(request) : inFlight.track(() => front.fetch(request)),
      onError: (error) => logger.error({ err: messageOf(error) }, "a request failed inside Hangar; answered 500"),
    });
  } catch (error) {
    await hangar.close();
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
  logger.info(
    { url, providers: gateway.handles.size, auth: token !== undefined, sealed_sessions: options.seal !== undefined },
    "serving MCP over HTTP",
  );

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const drainMs = options.drainMs ?? 5000;
  logger.warn(
    { reason: messageOf(options.signal.reason), drain_s: drainMs / 1000, running: inFlight.size },
    "draining the HTTP front",
  );
  front.drain();
  const period = deadline(gateway.clock, drainMs, () => new Error("the drain period is over"));
  const over = linkSignals([period.signal, options.forced]);
  await inFlight.idle(over.signal);
  period.clear();
  over.dispose();
  if (inFlight.size > 0)
    logger.warn(
      {
        running: inFlight.size,
        reason: options.forced?.aborted ? messageOf(options.forced.reason) : "drain period over",
      },
      "cancelling the requests still running",
    );
  logger.warn("shutting down the HTTP front");
  void server.stop(false);
  await hangar.close();
  // Cancelled requests are answered with their error; give them a moment to be written.
  const grace = deadline(gateway.clock, 1000, () => new Error("late"));
  const written = linkSignals([grace.signal, options.forced]);
  await inFlight.idle(written.signal);
  grace.clear();
  written.dispose();
  await front.mcp.close();
  await server.stop(true);
  await shutdown?.();
}
