import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  type CallToolResult,
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type Progress,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  type Tool,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { ExponentialBackoff, type IBackoff } from "cockatiel";
import type { Clock } from "../clock.ts";
import type { ResolvedProvider } from "../config/types.ts";
import { CancelledError, CircuitOpenError, messageOf, ProviderError, TimeoutError } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { type GatewayRecorder, noopRecorder } from "../observability/recorder.ts";
import { type Connection, type Driver, isSessionLost, NO_SDK_TIMEOUT } from "../providers/index.ts";
import { deadline, linkSignals } from "../scheduler/deadline.ts";
import { ProviderBreaker } from "./breaker.ts";
import { ConnectionUses } from "./connection-uses.ts";
import { startHealthChecks } from "./health-check.ts";
import { IdleLease } from "./idle-lease.ts";
import { type ProviderCatalog, type ReadCatalogOptions, readCatalog } from "./read-catalog.ts";
import { SharedStart } from "./shared-start.ts";

/** Where a provider is in its life. */
export type ProviderState = "cold" | "starting" | "ready" | "draining" | "stopped" | "failed";

/** Options of one upstream tool call. */
export interface UpstreamCallOptions {
  readonly signal: AbortSignal;
  /** Progress the provider reports during the call. */
  readonly onProgress?: (progress: Progress) => void;
  /** Request metadata sent upstream (e.g. a trace context); the progress token is Hangar's own. */
  readonly meta?: Record<string, unknown>;
}

/** Counters a handle keeps for status and benchmarks. */
export interface ProviderStats {
  starts: number;
  failedStarts: number;
  /** Unexpected exits of a running provider. */
  crashes: number;
  calls: number;
  healthChecks: number;
  healthFailures: number;
  /** Round trip of the last successful health check ping, in ms. */
  lastPingMs: number | undefined;
  /** Round trip of the last answered tool call, in ms. */
  lastCallMs: number | undefined;
  /** Moving average of answered tool calls' round trips (each new one weighs 1/5), in ms. */
  avgCallMs: number | undefined;
  lastError: string | undefined;
  startedAt: number | undefined;
}

/** Delays between failed starts: exponential from 1 s up to 60 s, with decorrelated jitter. */
const RESTART_BACKOFF = new ExponentialBackoff({ initialDelay: 1_000, maxDelay: 60_000 });

/**
 * One provider's lifecycle: lazy, single-flight start, abandoned (its process killed) once no caller
 * waits for it; leases counted so the idle timer only runs while nothing is in flight; a crash noticed
 * at once; failed starts retried with backoff; health checks and a circuit breaker; a graceful stop that
 * never cuts a running call (it waits for the calls running on the connection, then closes it).
 */
export class ProviderHandle {
  state: ProviderState = "cold";
  readonly stats: ProviderStats = {
    starts: 0,
    failedStarts: 0,
    crashes: 0,
    calls: 0,
    healthChecks: 0,
    healthFailures: 0,
    lastPingMs: undefined,
    lastCallMs: undefined,
    avgCallMs: undefined,
    lastError: undefined,
    startedAt: undefined,
  };
  readonly breaker: ProviderBreaker;
  private connection: Connection | undefined;
  private listing: ProviderCatalog | undefined;
  private readonly catalogListeners = new Set<(catalog: ProviderCatalog) => void>();
  private starting: SharedStart<Connection> | undefined;
  /** An abandoned start still being undone; the next start waits for it, so two never overlap. */
  private abandoning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly uses = new ConnectionUses<Connection>();
  private readonly leases: IdleLease;
  private stopHealthChecks: (() => void) | undefined;
  private restartBackoff: IBackoff<unknown> | undefined;
  private nextStartAt = 0;
  /** Remote connections dropped because the server lost our session; calls still on them are resent. */
  private readonly lostSessions = new WeakSet<Connection>();

  constructor(
    readonly config: ResolvedProvider,
    private readonly driver: Driver,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly recorder: GatewayRecorder = noopRecorder,
  ) {
    this.leases = new IdleLease(clock, config.idleTtlMs, {
      isReady: () => this.state === "ready",
      onIdle: () => {
        this.logger.info({ provider: config.id }, "provider idle; stopping");
        void this.stop();
      },
    });
    this.breaker = new ProviderBreaker(config, () => {
      this.logger.warn({ provider: config.id, cooldown_ms: config.circuitCooldownMs }, "circuit opened");
      // A provider that keeps failing is restarted by the probe that follows the cooldown.
      if (this.connection) void this.stop();
    });
  }

  /** Runs one attempt of a call through the circuit breaker (rejects with circuit_open while it is open). */
  guard<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.breaker.execute(work, signal).catch((error: unknown) => {
      if (error instanceof CircuitOpenError) this.recorder.breakerRejected(this.config.id);
      throw error;
    });
  }

  /** Calls running against this provider right now. */
  get active(): number {
    return this.leases.active;
  }

  /** The provider's tools, as last listed (undefined before its first start). */
  get catalog(): readonly Tool[] | undefined {
    return this.listing?.tools;
  }

  /** Everything the provider offers, as last listed (undefined before its first start). */
  get listings(): ProviderCatalog | undefined {
    return this.listing;
  }

  /** Calls `listener` with the fresh catalog whenever the provider starts or says a list changed. */
  onCatalog(listener: (catalog: ProviderCatalog) => void): () => void {
    this.catalogListeners.add(listener);
    return () => this.catalogListeners.delete(listener);
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
  async ensureReady(signal: AbortSignal): Promise<readonly Tool[]> {
    await this.connect(signal);
    return this.listing?.tools ?? [];
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
      const base = args === undefined ? { name } : { name, arguments: args };
      const params = options.meta ? { ...base, _meta: options.meta } : base;
      const requestOptions = {
        signal: options.signal,
        timeout: NO_SDK_TIMEOUT,
        ...(options.onProgress ? { onprogress: options.onProgress } : {}),
      };
      let sessionLost = false;
      const send = async () => {
        const connection = await this.connect(options.signal);
        const done = this.uses.begin(connection);
        this.stats.calls++;
        try {
          const sent = this.clock.now();
          const result = (await connection.client.request(
            { method: "tools/call", params },
            CallToolResultSchema,
            requestOptions,
          )) as CallToolResult;
          this.recordCallTime(this.clock.now() - sent);
          return result;
        } catch (error) {
          // A call that was on the connection when another call found the session lost fails with
          // ConnectionClosed (or "Not connected") as that call drops it: it, too, never ran.
          sessionLost = isSessionLost(error) || this.lostSessions.has(connection);
          if (sessionLost) {
            this.lostSessions.add(connection);
            await this.dropConnection(connection);
            throw error;
          }
          if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
            const reason = connection.closeReason() ?? "its connection closed";
            throw new ProviderError(
              this.config.id,
              `Provider "${this.config.id}" stopped during the call: ${reason}`,
              "transport_error",
            );
          }
          throw error;
        } finally {
          done();
        }
      };
      try {
        return await send();
      } catch (error) {
        if (!sessionLost) throw error;
        this.logger.info({ provider: this.config.id }, "remote session expired; reconnecting");
        return await send();
      }
    } finally {
      this.leases.release();
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
      const done = this.uses.begin(connection);
      try {
        return await work(connection.client);
      } finally {
        done();
      }
    } finally {
      this.leases.release();
    }
  }

  private recordCallTime(ms: number): void {
    this.stats.lastCallMs = ms;
    this.stats.avgCallMs =
      this.stats.avgCallMs === undefined ? ms : this.stats.avgCallMs + (ms - this.stats.avgCallMs) / 5;
  }

  /** Forgets a connection that can no longer be used, so the next call connects afresh. */
  private async dropConnection(connection: Connection): Promise<void> {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.state = "cold";
    await connection.close().catch(() => {});
  }

  /** Sends `ping` (starting the provider if needed) and returns its round trip in ms. */
  async ping(signal: AbortSignal): Promise<number> {
    const connection = await this.connect(signal);
    const start = this.clock.now();
    await connection.client.ping({ signal, timeout: NO_SDK_TIMEOUT });
    return this.clock.now() - start;
  }

  private connect(signal: AbortSignal): Promise<Connection> {
    if (this.state === "ready" && this.connection) return Promise.resolve(this.connection);
    if (this.starting === undefined) {
      const waitMs = this.nextStartAt - this.clock.now();
      if (this.state === "failed" && waitMs > 0) {
        return Promise.reject(
          new ProviderError(
            this.config.id,
            `Provider "${this.config.id}" is unavailable (${this.stats.lastError ?? "it failed"}); next start attempt in ${Math.ceil(waitMs / 1000)} s`,
          ),
        );
      }
      const id = this.config.id;
      const start: SharedStart<Connection> = new SharedStart((abandon) => this.start(abandon), {
        abandoned: () =>
          new CancelledError(`The start of provider "${id}" was abandoned: no call waits for it any more`),
        onAbort: () => this.forgetStart(start),
      });
      this.starting = start;
      start.promise.then(
        () => this.forgetStart(start),
        () => this.forgetStart(start),
      );
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
    const { startupTimeoutMs, id } = this.config;
    const limit = deadline(
      this.clock,
      startupTimeoutMs,
      () =>
        new TimeoutError(
          `Provider "${id}" did not start within ${startupTimeoutMs / 1000} s; if it is only slow (a first \`npx\` or \`uvx\` download), raise its \`startup_timeout_s\``,
        ),
    );
    const signal = linkSignals([limit.signal, abandon]);
    try {
      const connection = await this.driver.connect(signal.signal);
      let listing: ProviderCatalog;
      try {
        listing = await readCatalog(connection.client, signal.signal);
        signal.signal.throwIfAborted();
      } catch (error) {
        await connection.close();
        throw error;
      }
      this.listing = listing;
      this.connection = connection;
      this.state = "ready";
      this.stats.startedAt = this.clock.now();
      this.recorder.providerStarted(id, this.stats.startedAt - began);
      connection.onClose(() => this.onConnectionClosed(connection));
      this.followListChanges(connection);
      this.logger.info({ provider: id, pid: connection.pid, tools: this.listing.tools.length }, "provider started");
      this.restartBackoff = undefined;
      this.nextStartAt = 0;
      this.leases.arm();
      this.armHealthChecks();
      this.emitCatalog();
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
      const failure = error instanceof ProviderError ? error : new ProviderError(id, startFailure(id, error));
      this.stats.lastError = failure.message;
      this.restartBackoff = this.restartBackoff ? this.restartBackoff.next(undefined) : RESTART_BACKOFF.next();
      this.nextStartAt = this.clock.now() + this.restartBackoff.duration;
      this.logger.warn(
        { provider: id, err: failure.message, retry_in_ms: this.restartBackoff.duration },
        "provider failed to start",
      );
      throw failure;
    } finally {
      limit.clear();
      signal.dispose();
    }
  }

  /** Re-reads a list when the provider says it changed, and tells the catalog listeners. */
  private followListChanges(connection: Connection): void {
    const reread = (which: ReadCatalogOptions) => () => {
      if (this.connection !== connection || this.listing === undefined) return Promise.resolve();
      const limit = deadline(
        this.clock,
        this.config.startupTimeoutMs,
        () => new TimeoutError(`Provider "${this.config.id}" did not list in time`),
      );
      return readCatalog(connection.client, limit.signal, which, this.listing)
        .then((catalog) => {
          if (this.connection !== connection) return;
          this.listing = catalog;
          this.emitCatalog();
        })
        .catch((error: unknown) =>
          this.logger.warn({ provider: this.config.id, err: messageOf(error) }, "cannot re-read a changed list"),
        )
        .finally(() => limit.clear());
    };
    const client = connection.client;
    client.setNotificationHandler(
      ToolListChangedNotificationSchema,
      reread({ tools: true, prompts: false, resources: false }),
    );
    client.setNotificationHandler(
      PromptListChangedNotificationSchema,
      reread({ tools: false, prompts: true, resources: false }),
    );
    client.setNotificationHandler(
      ResourceListChangedNotificationSchema,
      reread({ tools: false, prompts: false, resources: true }),
    );
  }

  private emitCatalog(): void {
    const catalog = this.listing;
    if (catalog === undefined) return;
    for (const listener of this.catalogListeners) {
      try {
        listener(catalog);
      } catch (error) {
        this.logger.error({ provider: this.config.id, err: messageOf(error) }, "catalog listener failed");
      }
    }
  }

  private onConnectionClosed(connection: Connection): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.leases.clear();
    this.stopHealthChecks?.();
    if (this.state === "ready") {
      const reason = connection.closeReason() ?? "its connection closed";
      this.state = "failed";
      this.stats.crashes++;
      this.recorder.providerCrashed(this.config.id);
      this.stats.lastError = `Provider "${this.config.id}" stopped unexpectedly: ${reason}`;
      this.logger.warn({ provider: this.config.id, reason }, "provider stopped unexpectedly");
    }
  }

  private armHealthChecks(): void {
    this.stopHealthChecks?.();
    this.stopHealthChecks = undefined;
    if (this.config.healthCheckIntervalMs <= 0) return;
    this.stopHealthChecks = startHealthChecks(
      {
        id: this.config.id,
        isReady: () => this.state === "ready",
        ping: (signal) => this.guard(() => this.ping(signal), signal),
        report: (result) => {
          this.stats.healthChecks++;
          this.recorder.healthChecked(this.config.id, result.ok);
          if (result.ok) this.stats.lastPingMs = result.latencyMs;
          else {
            this.stats.healthFailures++;
            this.logger.warn({ provider: this.config.id, err: messageOf(result.error) }, "health check failed");
          }
        },
      },
      this.clock,
      this.config.healthCheckIntervalMs,
    );
  }

  /**
   * Stops the provider gracefully; the next call starts it again. A start under way is aborted (its
   * process killed); calls running on the live connection are waited for ("draining"), then it is
   * closed (stdin, SIGTERM, SIGKILL). Calls arriving meanwhile wait for the stop, then start it afresh.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.leases.clear();
      this.stopHealthChecks?.();
      this.stopHealthChecks = undefined;
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

function startFailure(id: string, error: unknown): string {
  const message = messageOf(error);
  return message.includes(`"${id}"`) ? message : `Cannot start provider "${id}": ${message}`;
}
