import { chmodSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { DEFAULT_DAEMON_IDLE_S, type ResolvedConfig } from "../../config/index.ts";
import { messageOf } from "../../errors.ts";
import type { Gateway, GatewayDeps } from "../../gateway/index.ts";
import { Hangar } from "../../lib/hangar.ts";
import type { Logger } from "../../observability/log.ts";
import { peerUid } from "../../runtime/index.ts";
import { VERSION } from "../../version.ts";
import { CatalogCache } from "../catalog-cache.ts";
import type { FrontDeps } from "../front-deps.ts";
import { ProviderCalls } from "../http/provider-calls.ts";
import { type ActiveSession, SessionBridge } from "../http/session-bridge.ts";
import { perClientProviders } from "../per-client.ts";
import { ResourceSubscriptions } from "../resource-subscriptions.ts";
import { DaemonSession } from "./daemon-session.ts";
import type { DaemonStatus } from "./daemon-status.ts";
import { readHello } from "./hello.ts";
import type { DaemonFiles } from "./run-dir.ts";

/** What `runDaemon` needs; every field says its default. */
export interface DaemonOptions {
  /** The daemon's key (see daemon-key.ts) and its files. */
  readonly key: string;
  readonly files: DaemonFiles;
  /** Builds the gateway with the daemon's bridge to its clients. */
  openGateway(deps: Pick<GatewayDeps, "bridge">): Promise<{ gateway: Gateway; logger: Logger; config: ResolvedConfig }>;
  /** Aborts on SIGINT or SIGTERM: the daemon stops as for `hangar stop`. */
  readonly signal: AbortSignal;
  /**
   * The daemon's key as it is now (the config file is read again); a key other than `key` (the file
   * now uses other variables; an edit that does not is reloaded in place by the caller's live reload)
   * makes the daemon drain. A file that cannot be read now is checked again later. Default: never checked.
   */
  readonly currentKey?: () => Promise<string>;
  /** How often the key is checked, in ms (default 2000). */
  readonly configCheckMs?: number;
  /** Where provider catalogs are cached (default `$HANGAR_CACHE_DIR` or `~/.hangar/cache`). */
  readonly cache?: CatalogCache;
}

/**
 * The shared daemon of `hangar serve --shared`: one gateway (one instance of each provider) served to
 * every client attached on its Unix socket, each client its own MCP session. It drains (its socket is
 * renamed away, so new clients start a new daemon; the attached ones stay served) when it has been
 * without clients for `daemon_idle_s` or its config file now uses other `${VAR}`s (any other edit is
 * applied in place by live reload), and exits once drained. `hangar stop`
 * and SIGTERM stop it at once: running calls are cancelled and providers stopped.
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const bridge = new SessionBridge();
  const { gateway, logger, config } = await options.openGateway({ bridge });
  const clock = gateway.clock;
  const startedAt = clock.now();
  const startedIso = new Date().toISOString();
  // Read when armed: a reloaded config may change it.
  const idleMs = () => gateway.config.daemonIdleMs ?? DEFAULT_DAEMON_IDLE_S * 1000;
  const cache = options.cache ?? new CatalogCache();
  const hangar = Hangar.over(gateway, logger, { cache, startedAt });
  const { catalog } = hangar;
  const perClient = perClientProviders(gateway, { logger, cache, startedAt });
  const front: FrontDeps = { hangar, logger };
  const subscriptions = new ResourceSubscriptions(gateway, catalog, logger);
  const calls = new ProviderCalls<DaemonSession>();
  const sessions = new Set<DaemonSession>();
  bridge.use({
    active(providerId): ActiveSession | undefined {
      const call = calls.latest(providerId);
      if (call === undefined) return undefined;
      const { server, pid, logLevel } = call.session;
      if (server === undefined) return undefined;
      return { server, sessionId: pid === undefined ? undefined : String(pid), requestId: call.requestId, logLevel };
    },
    resourceUpdated: (providerId, uri) => {
      subscriptions.updated(providerId, uri);
      for (const session of sessions) session.resourceUpdated(providerId, uri);
    },
  });
  const warmUp = new AbortController();
  let warmedUp = false;
  const onInitialized = () => {
    // With per-client providers each client's own catalog is warmed up instead (the daemon's would start them for no one).
    if (warmedUp || gateway.config.providers.some((provider) => provider.perClient)) return;
    warmedUp = true;
    catalog.warmUp(warmUp.signal).catch((error: unknown) => logger.warn({ err: messageOf(error) }, "warm-up failed"));
  };

  const stopped = Promise.withResolvers<void>();
  let socketPath = options.files.socket;
  let draining: string | undefined;
  let idleTimer: unknown;

  const info = () => ({
    pid: process.pid,
    key: options.key,
    socket: socketPath,
    config: config.source.kind === "file" ? config.source.path : "(built-in demo)",
    cwd: process.cwd(),
    version: VERSION,
    started_at: startedIso,
  });
  const writeInfo = () => writeFileSync(options.files.info, `${JSON.stringify(info())}\n`, { mode: 0o600 });
  const status = (): DaemonStatus => ({
    ...info(),
    draining: draining ?? null,
    idle_exit_s: idleMs() / 1000,
    clients: [...sessions].map((session) => session.info()),
    providers: hangar.status().providers.map((p) => ({
      id: p.id,
      state: p.state,
      ...(p.pid === undefined ? {} : { pid: p.pid }),
      in_flight: p.in_flight,
      calls: p.calls,
      starts: p.starts,
    })),
  });

  /** New clients go elsewhere (the socket is renamed away); exits once the attached ones left. */
  const drain = (why: string) => {
    if (draining !== undefined) return;
    draining = why;
    logger.info({ why, clients: sessions.size }, "draining: new clients start a new daemon");
    const moved = `${options.files.socket.replace(/\.sock$/, "")}.${process.pid}.draining.sock`;
    try {
      renameSync(socketPath, moved);
      socketPath = moved;
      writeInfo();
    } catch (error) {
      logger.warn({ err: messageOf(error) }, "cannot move the socket away");
    }
    if (sessions.size === 0) stopped.resolve();
  };
  const armIdle = () => {
    clock.clearTimeout(idleTimer);
    const ms = idleMs();
    idleTimer = clock.setTimeout(() => {
      if (sessions.size === 0) drain(`no client for ${ms / 1000} s`);
    }, ms);
  };

  const onConnection = async (socket: Socket) => {
    // The socket's 0600 and its folder's 0700 keep other users out; where the kernel tells who connected, that is checked too.
    const uid = await peerUid(socket);
    if (uid !== undefined && uid !== process.getuid?.()) {
      logger.warn({ uid }, "refused a connection from another user");
      socket.destroy();
      return;
    }
    const got = await readHello(socket);
    if (got === undefined) {
      socket.destroy();
      return;
    }
    const { hello, rest } = got;
    if (hello.op === "status") {
      socket.end(`${JSON.stringify(status())}\n`);
      return;
    }
    if (hello.op === "stop") {
      logger.info("stop requested");
      socket.end(`${JSON.stringify({ stopping: process.pid })}\n`);
      stopped.resolve();
      return;
    }
    const session = new DaemonSession(
      socket,
      rest,
      { front, subscriptions, calls, onInitialized, perClient },
      hello.pid,
    );
    sessions.add(session);
    clock.clearTimeout(idleTimer);
    logger.info({ client_pid: hello.pid, clients: sessions.size }, "client attached");
    void session.closed.then(() => {
      sessions.delete(session);
      logger.info({ client_pid: hello.pid, clients: sessions.size }, "client left");
      if (sessions.size > 0) return;
      if (draining !== undefined) stopped.resolve();
      else armIdle();
    });
  };

  const server: NetServer = createNetServer((socket) => {
    onConnection(socket).catch((error: unknown) => {
      logger.warn({ err: messageOf(error) }, "cannot serve a client");
      socket.destroy();
    });
  });
  rmSync(options.files.socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.files.socket, () => resolve());
  });
  chmodSync(options.files.socket, 0o600);
  writeInfo();
  logger.info({ socket: options.files.socket, providers: gateway.handles.size }, "shared daemon listening");
  armIdle();

  let checking = false;
  const checkConfig = setInterval(() => {
    if (checking || options.currentKey === undefined) return;
    checking = true;
    options
      .currentKey()
      .then((key) => {
        if (key !== options.key) drain("the config file uses other variables");
      })
      .catch((error: unknown) => logger.debug({ err: messageOf(error) }, "cannot check the config file's key"))
      .finally(() => (checking = false));
  }, options.configCheckMs ?? 2000);
  checkConfig.unref();
  options.signal.addEventListener("abort", () => stopped.resolve(), { once: true });

  await stopped.promise;
  logger.info({ clients: sessions.size }, "shared daemon stopping");
  clearInterval(checkConfig);
  clock.clearTimeout(idleTimer);
  server.close();
  rmSync(socketPath, { force: true });
  rmSync(options.files.info, { force: true });
  warmUp.abort();
  await Promise.all([...sessions].map((session) => session.end()));
  await hangar.close();
}
