import { CallToolResultSchema, ErrorCode, McpError, type CallToolResult, type Progress, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Clock } from "../clock.ts";
import type { ResolvedProvider } from "../config/types.ts";
import { ExponentialBackoff, type IBackoff } from "cockatiel";
import { messageOf, ProviderError, TimeoutError } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { type Connection, type Driver, isSessionLost } from "../providers/index.ts";
import { deadline, raceSignal } from "../scheduler/deadline.ts";
import { ProviderBreaker } from "./breaker.ts";
import { startHealthChecks } from "./health-check.ts";

/** Where a provider is in its life. */
export type ProviderState = "cold" | "starting" | "ready" | "draining" | "stopped" | "failed";

/** Options of one upstream tool call. */
export interface UpstreamCallOptions {
  readonly signal: AbortSignal;
  /** Progress the provider reports during the call. */
  readonly onProgress?: (progress: Progress) => void;
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
  lastError: string | undefined;
  startedAt: number | undefined;
}

/** Delays between failed starts: exponential from 1 s up to 60 s, with decorrelated jitter. */
const RESTART_BACKOFF = new ExponentialBackoff({ initialDelay: 1_000, maxDelay: 60_000 });

/**
 * One provider's lifecycle: lazy, single-flight start; leases counted so the idle timer only runs while
 * nothing is in flight; a crash noticed at once; failed starts retried with backoff; health checks and
 * a circuit breaker; a graceful stop that never cuts a running call.
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
    lastError: undefined,
    startedAt: undefined,
  };
  readonly breaker: ProviderBreaker;
  private connection: Connection | undefined;
  private tools: readonly Tool[] | undefined;
  private starting: Promise<Connection> | undefined;
  private stopping: Promise<void> | undefined;
  private inFlight = 0;
  private idleTimer: unknown;
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
  ) {
    this.breaker = new ProviderBreaker(config.id, config.maxConsecutiveFailures, config.circuitCooldownMs, () => {
      this.logger.warn({ provider: config.id, cooldown_ms: config.circuitCooldownMs }, "circuit opened");
      // A provider that keeps failing is restarted by the probe that follows the cooldown.
      if (this.connection) void this.stop();
    });
  }

  /** Runs one attempt of a call through the circuit breaker (rejects with circuit_open while it is open). */
  guard<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
    return this.breaker.execute(work, signal);
  }

  /** Calls running against this provider right now. */
  get active(): number {
    return this.inFlight;
  }

  /** The provider's tools, as last listed (undefined before its first start). */
  get catalog(): readonly Tool[] | undefined {
    return this.tools;
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
    return this.tools ?? [];
  }

  /**
   * Calls a tool, counting the call as in flight so the provider is never stopped under it. A remote
   * provider that lost our session (HTTP 404) did not run the call: reconnect once and send it again.
   */
  async callTool(name: string, args: Record<string, unknown> | undefined, options: UpstreamCallOptions): Promise<CallToolResult> {
    this.lease();
    try {
      const params = args === undefined ? { name } : { name, arguments: args };
      const requestOptions = {
        signal: options.signal,
        timeout: 2 ** 31 - 1,
        ...(options.onProgress ? { onprogress: options.onProgress } : {}),
      };
      let sessionLost = false;
      const send = async () => {
        const connection = await this.connect(options.signal);
        this.stats.calls++;
        try {
          return (await connection.client.request({ method: "tools/call", params }, CallToolResultSchema, requestOptions)) as CallToolResult;
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
            throw new ProviderError(this.config.id, `Provider "${this.config.id}" stopped during the call: ${reason}`, "transport_error");
          }
          throw error;
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
      this.unlease();
    }
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
    await connection.client.ping({ signal, timeout: 2 ** 31 - 1 });
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
      this.starting = this.start();
    }
    return raceSignal(this.starting, signal);
  }

  private async start(): Promise<Connection> {
    await this.stopping;
    this.state = "starting";
    this.stats.starts++;
    const { startupTimeoutMs, id } = this.config;
    const limit = deadline(this.clock, startupTimeoutMs, () => new TimeoutError(`Provider "${id}" did not start within ${startupTimeoutMs / 1000} s`));
    try {
      const connection = await this.driver.connect(limit.signal);
      try {
        this.tools = await listAllTools(connection, limit.signal);
      } catch (error) {
        await connection.close();
        throw error;
      }
      this.connection = connection;
      this.state = "ready";
      this.stats.startedAt = this.clock.now();
      connection.onClose(() => this.onConnectionClosed(connection));
      this.logger.info({ provider: id, pid: connection.pid, tools: this.tools.length }, "provider started");
      this.restartBackoff = undefined;
      this.nextStartAt = 0;
      this.armIdleTimer();
      this.armHealthChecks();
      return connection;
    } catch (error) {
      this.state = "failed";
      this.stats.failedStarts++;
      const failure = error instanceof ProviderError ? error : new ProviderError(id, startFailure(id, error));
      this.stats.lastError = failure.message;
      this.restartBackoff = this.restartBackoff ? this.restartBackoff.next(undefined) : RESTART_BACKOFF.next();
      this.nextStartAt = this.clock.now() + this.restartBackoff.duration;
      this.logger.warn({ provider: id, err: failure.message, retry_in_ms: this.restartBackoff.duration }, "provider failed to start");
      throw failure;
    } finally {
      limit.clear();
      this.starting = undefined;
    }
  }

  private onConnectionClosed(connection: Connection): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    this.clearIdleTimer();
    this.stopHealthChecks?.();
    if (this.state === "ready") {
      const reason = connection.closeReason() ?? "its connection closed";
      this.state = "failed";
      this.stats.crashes++;
      this.stats.lastError = `Provider "${this.config.id}" stopped unexpectedly: ${reason}`;
      this.logger.warn({ provider: this.config.id, reason }, "provider stopped unexpectedly");
    }
  }

  private lease(): void {
    this.inFlight++;
    this.clearIdleTimer();
  }

  private unlease(): void {
    this.inFlight--;
    if (this.inFlight === 0) this.armIdleTimer();
  }

  private armIdleTimer(): void {
    this.clearIdleTimer();
    if (this.config.idleTtlMs <= 0 || this.inFlight > 0 || this.state !== "ready") return;
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.inFlight === 0 && this.state === "ready") {
        this.logger.info({ provider: this.config.id }, "provider idle; stopping");
        void this.stop();
      }
    }, this.config.idleTtlMs);
  }

  private clearIdleTimer(): void {
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
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

  /** Stops the provider gracefully (stdin, SIGTERM, SIGKILL); the next call starts it again. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.clearIdleTimer();
      this.stopHealthChecks?.();
      const connection = this.connection ?? (await this.starting?.catch(() => undefined));
      this.connection = undefined;
      if (connection) {
        this.state = "draining";
        await connection.close();
      }
      this.state = "stopped";
    })().finally(() => (this.stopping = undefined));
    return this.stopping;
  }
}

/** Reads every page of `tools/list`. */
async function listAllTools(connection: Connection, signal: AbortSignal): Promise<Tool[]> {
  if (!connection.client.getServerCapabilities()?.tools) return [];
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await connection.client.listTools(cursor === undefined ? {} : { cursor }, { signal });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

function startFailure(id: string, error: unknown): string {
  const message = messageOf(error);
  return message.includes(`"${id}"`) ? message : `Cannot start provider "${id}": ${message}`;
}
