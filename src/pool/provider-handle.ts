import type { CallToolResult, Client, Tool } from "@modelcontextprotocol/client";
import type { Clock } from "../clock.ts";
import { sameLaunch } from "../config/config-diff.ts";
import type { ResolvedProvider } from "../config/types.ts";
import { CancelledError, messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { type GatewayRecorder, noopRecorder } from "../observability/recorder.ts";
import {
  type Connection,
  type Driver,
  type EraMemory,
  isSessionLost,
  NO_SDK_TIMEOUT,
  noEraMemory,
} from "../providers/index.ts";
import { ProviderBreaker } from "./breaker.ts";
import { CatalogFollower } from "./catalog-follower.ts";
import type { CatalogReview } from "./catalog-review.ts";
import { ConnectionUses } from "./connection-uses.ts";
import { HealthChecks } from "./health-check.ts";
import { IdleLease } from "./idle-lease.ts";
import { openConnection, startFailure } from "./open-connection.ts";
import type { ProviderState } from "./provider-state.ts";
import { emptyStats, type ProviderStats, recordCallTime } from "./provider-stats.ts";
import { RestartBackoff } from "./restart-backoff.ts";
import { SharedStart } from "./shared-start.ts";
import { callFailure, requestToolCall, type UpstreamCallOptions } from "./upstream-call.ts";

/**
 * One provider's lifecycle: lazy, single-flight start, abandoned (its process killed) once no caller
 * waits for it; leases counted so the idle timer only runs while nothing is in flight; a crash noticed
 * at once; failed starts retried with backoff; health checks and a circuit breaker; a graceful stop that
 * never cuts a running call (it waits for the calls running on the connection, then closes it).
 */
export class ProviderHandle {
  state: ProviderState = "cold";
  readonly stats: ProviderStats = emptyStats();
  readonly breaker: ProviderBreaker;
  /** The provider's catalog as it last listed it, and who follows its changes. */
  readonly catalog: CatalogFollower;
  private connection: Connection | undefined;
  private starting: SharedStart<Connection> | undefined;
  /** An abandoned start still being undone; the next start waits for it, so two never overlap. */
  private abandoning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly uses = new ConnectionUses<Connection>();
  private readonly leases: IdleLease;
  private readonly health: HealthChecks;
  private readonly restarts: RestartBackoff;
  /** Remote connections dropped because the server lost our session; calls still on them are resent. */
  private readonly lostSessions = new WeakSet<Connection>();

  private settings: ResolvedProvider;

  constructor(
    config: ResolvedProvider,
    private readonly driver: Driver,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly recorder: GatewayRecorder = noopRecorder,
    review?: CatalogReview,
    /** Where the provider's protocol era is remembered between starts (default: nowhere; every start probes). */
    private readonly eras: EraMemory = noEraMemory,
  ) {
    this.settings = config;
    this.leases = new IdleLease(clock, config.idleTtlMs, {
      isReady: () => this.state === "ready",
      onIdle: () => {
        this.logger.info({ provider: config.id }, "provider idle; stopping");
        void this.stop();
      },
    });
    this.breaker = new ProviderBreaker(
      config,
      clock,
      () => {
        this.logger.warn({ provider: config.id, cooldown_ms: this.config.circuitCooldownMs }, "circuit opened");
        // A provider that keeps failing is restarted by the probe that follows the cooldown.
        if (this.connection) void this.stop();
      },
      () => this.recorder.breakerRejected(this.config.id),
    );
    this.catalog = new CatalogFollower({
      id: config.id,
      listTimeoutMs: config.startupTimeoutMs,
      clock,
      logger,
      ...(review ? { review } : {}),
    });
    this.health = new HealthChecks({
      id: config.id,
      intervalMs: config.healthCheckIntervalMs,
      clock,
      logger,
      recorder,
      stats: this.stats,
      isReady: () => this.state === "ready",
      ping: (signal) => this.guard(() => this.ping(signal), signal),
    });
    this.restarts = new RestartBackoff(config.id, clock);
  }

  /** The provider's settings: those it was started with, then any policy a reload changed since. */
  get config(): ResolvedProvider {
    return this.settings;
  }

  /**
   * Applies a reload's policy-only change (limits, timeouts, idle TTL, health checks, breaker, retries,
   * tools allow/deny, expose, prefix, description) to the running provider; calls in flight keep going.
   * A change of launch settings is never applied here: it needs a new handle (see config-diff.ts).
   */
  retune(next: ResolvedProvider): void {
    if (!sameLaunch(next, this.settings))
      throw new Error(`provider "${next.id}": a new launch config needs a new instance, not retune()`);
    this.settings = next;
    this.leases.retune(next.idleTtlMs);
    this.health.retune(next.healthCheckIntervalMs);
    this.breaker.retune(next);
    this.catalog.retune(next.startupTimeoutMs);
  }

  /** Runs one attempt of a call through the circuit breaker (rejects with circuit_open while it is open). */
  guard<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.breaker.execute(work, signal);
  }

  /** The tools the provider listed last (a task call reads which tools run as tasks). */
  private readonly listedTools = (): readonly Tool[] => this.catalog.listed?.tools ?? [];

  /** Calls running against this provider right now. */
  get active(): number {
    return this.leases.active;
  }

  /** What the running provider last wrote to stderr (bounded; "" when it is not running). */
  stderrTail(): string {
    return this.connection?.stderrTail() ?? "";
  }

  /** The live connection's process id, if any. */
  get pid(): number | undefined {
    return this.connection?.pid;
  }

  /** Starts the provider if needed (one start however many callers wait) and returns its tools. */
  ensureReady(signal: AbortSignal): Promise<readonly Tool[]> {
    // Ready (nearly every call): no async frame, no turn spent on a settled connect.
    const tools = this.readyTools();
    return tools === undefined
      ? this.connect(signal).then(() => this.catalog.listed?.tools ?? [])
      : Promise.resolve(tools);
  }

  /** The tools of the provider when it is ready now (nothing to wait for, not even a turn), else undefined. */
  readyTools(): readonly Tool[] | undefined {
    return this.state === "ready" && this.connection ? (this.catalog.listed?.tools ?? []) : undefined;
  }

  /**
   * Calls a tool, counting the call as in flight so the provider is never stopped under it. A remote
   * provider that lost our session (HTTP 404) did not run the call: reconnect once and send it again.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    options: UpstreamCallOptions,
  ): Promise<CallToolResult> {
    this.leases.acquire();
    try {
      try {
        return await this.sendToolCall(name, args, options);
      } catch (error) {
        if (!(error instanceof SessionLost)) throw error;
        this.logger.info({ provider: this.config.id }, "remote session expired; reconnecting");
        try {
          return await this.sendToolCall(name, args, options);
        } catch (again) {
          throw again instanceof SessionLost ? again.cause : again;
        }
      }
    } finally {
      this.leases.release();
    }
  }

  /**
   * One attempt of `callTool` on the live connection (started if need be), counted on it; rejects with
   * `SessionLost` (the connection dropped) when the remote provider lost our session.
   */
  private async sendToolCall(
    name: string,
    args: Record<string, unknown> | undefined,
    options: UpstreamCallOptions,
  ): Promise<CallToolResult> {
    const connection = this.state === "ready" && this.connection ? this.connection : await this.connect(options.signal);
    this.uses.begin(connection);
    this.stats.calls++;
    try {
      const sent = this.clock.now();
      const result = await requestToolCall(connection.client, name, args, options, this.listedTools);
      recordCallTime(this.stats, this.clock.now() - sent);
      return result;
    } catch (error) {
      // A call that was on the connection when another call found the session lost fails with
      // ConnectionClosed (or "Not connected") as that call drops it: it, too, never ran.
      if (!(isSessionLost(error) || this.lostSessions.has(connection)))
        throw callFailure(this.config.id, connection, error);
      this.lostSessions.add(connection);
      await this.dropConnection(connection);
      throw new SessionLost(error);
    } finally {
      this.uses.end(connection);
    }
  }

  /**
   * Runs `work` with the live client (starting the provider if needed), counted as in flight so the
   * provider is not stopped under it. For requests other than tool calls: prompts, resources, completion.
   */
  async withClient<T>(signal: AbortSignal, work: (client: Client) => Promise<T>): Promise<T> {
    this.leases.acquire();
    try {
      const connection = await this.connect(signal);
      this.uses.begin(connection);
      try {
        return await work(connection.client);
      } finally {
        this.uses.end(connection);
      }
    } finally {
      this.leases.release();
    }
  }

  /**
   * Runs `work` with the live client only when the provider runs now, never starting it (undefined when
   * it does not run): for a request that matters only to the running process, such as ending a resource
   * subscription, which a stopped or restarted provider has forgotten already. Counted as in flight, as
   * `withClient` is.
   */
  async ifRunning<T>(work: (client: Client) => Promise<T>): Promise<T | undefined> {
    const connection = this.state === "ready" ? this.connection : undefined;
    if (connection === undefined) return undefined;
    this.leases.acquire();
    this.uses.begin(connection);
    try {
      return await work(connection.client);
    } finally {
      this.uses.end(connection);
      this.leases.release();
    }
  }

  /**
   * Keeps the provider from being stopped for idleness until the returned function is called (once):
   * for work that outlives any request to it, such as a task relayed to a client (task-leases.ts).
   */
  hold(): () => void {
    this.leases.acquire();
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.leases.release();
    };
  }

  /** Forgets a connection that can no longer be used, so the next call connects afresh. */
  private async dropConnection(connection: Connection): Promise<void> {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.state = "cold";
    await connection.close().catch(() => {});
  }

  /** Sends `ping` (`server/discover` in the 2026 era), starting the provider if needed; returns the round trip in ms. */
  async ping(signal: AbortSignal): Promise<number> {
    const connection = await this.connect(signal);
    const start = this.clock.now();
    const options = { signal, timeout: NO_SDK_TIMEOUT };
    // MCP 2026-07-28 has no `ping`; `server/discover` is the lightest request a provider of that era answers.
    if (connection.era.era === "modern") await connection.client.discover(options);
    else await connection.client.ping(options);
    return this.clock.now() - start;
  }

  private connect(signal: AbortSignal): Promise<Connection> {
    if (this.state === "ready" && this.connection) return Promise.resolve(this.connection);
    if (this.starting === undefined) {
      const refused = this.state === "failed" ? this.restarts.refusal(this.stats.lastError) : undefined;
      if (refused) return Promise.reject(refused);
      const id = this.config.id;
      const start: SharedStart<Connection> = new SharedStart((abandon) => this.start(abandon), {
        abandoned: () =>
          new CancelledError(`The start of provider "${id}" was abandoned: no call waits for it any more`),
        onAbort: () => this.forgetStart(start),
      });
      this.starting = start;
      const forget = () => this.forgetStart(start);
      start.promise.then(forget, forget);
    }
    return this.starting.join(signal);
  }

  /** Drops a start that ended or was abandoned, so the next caller starts afresh (after it is undone). */
  private forgetStart(start: SharedStart<Connection>): void {
    if (this.starting !== start) return;
    this.starting = undefined;
    if (!start.aborted) return;
    const undone: Promise<void> = start.promise.then(noop, noop).then(() => {
      if (this.abandoning === undone) this.abandoning = undefined;
    });
    this.abandoning = undone;
  }

  private async start(abandon: AbortSignal): Promise<Connection> {
    await this.stopping;
    await this.abandoning;
    abandon.throwIfAborted();
    this.state = "starting";
    this.stats.starts++;
    const began = this.clock.now();
    const id = this.config.id;
    try {
      const { connection, listed } = await openConnection(this.driver, this.clock, this.config, abandon, this.eras);
      this.connection = connection;
      this.state = "ready";
      this.stats.startedAt = this.clock.now();
      this.recorder.providerStarted(id, this.stats.startedAt - began);
      connection.onClose(() => this.onConnectionClosed(connection));
      this.logger.info({ provider: id, pid: connection.pid, tools: listed.tools.length }, "provider started");
      this.restarts.succeeded();
      this.leases.arm();
      this.health.start();
      this.catalog.follow(connection, listed, () => this.connection === connection);
      return connection;
    } catch (error) {
      if (abandon.aborted) {
        this.state = "stopped";
        this.logger.info({ provider: id, reason: messageOf(abandon.reason) }, "provider start abandoned");
        throw abandon.reason;
      }
      this.state = "failed";
      this.stats.failedStarts++;
      this.recorder.providerStartFailed(id);
      const failure = startFailure(id, error);
      this.stats.lastError = failure.message;
      const retryInMs = this.restarts.failed();
      this.logger.warn(
        { provider: id, err: failure.message, retry_in_ms: Math.round(retryInMs) },
        "provider failed to start",
      );
      throw failure;
    }
  }

  private onConnectionClosed(connection: Connection): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.leases.clear();
    this.health.stop();
    if (this.state === "ready") {
      const reason = connection.closeReason() ?? "its connection closed";
      this.state = "failed";
      this.stats.crashes++;
      this.recorder.providerCrashed(this.config.id);
      this.stats.lastError = `Provider "${this.config.id}" stopped unexpectedly: ${reason}`;
      this.logger.warn({ provider: this.config.id, reason }, "provider stopped unexpectedly");
    }
  }

  /**
   * Stops the provider gracefully; the next call starts it again. A start under way is aborted (its
   * process killed); calls running on the live connection are waited for ("draining"), then it is
   * closed (stdin, SIGTERM, SIGKILL). Calls arriving meanwhile wait for the stop, then start it afresh.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.leases.clear();
      this.health.stop();
      const start = this.starting;
      if (start) {
        this.starting = undefined;
        start.abort(new CancelledError(`Provider "${this.config.id}" was stopped before it started`));
        await start.promise.catch(() => {});
      }
      if (this.abandoning) await this.abandoning;
      const connection = this.connection;
      if (connection) {
        this.state = "draining";
        await this.uses.idle(connection);
        if (this.connection === connection) this.connection = undefined;
        await connection.close();
      }
      this.state = "stopped";
    })().finally(() => (this.stopping = undefined));
    return this.stopping;
  }
}

function noop(): void {}

/** An attempt whose remote session was lost: it never ran, and is sent once more on a new connection. */
class SessionLost extends Error {
  constructor(override readonly cause: unknown) {
    super("the remote session was lost");
  }
}
