import type { ClientCapabilities } from "@modelcontextprotocol/client";
import { CallError } from "../errors.ts";
import { type BatchStream, Gateway } from "../gateway/index.ts";
import { createLogger, type Logger, silentLogger } from "../observability/log.ts";
import { openPins } from "../pinning/index.ts";
import { Catalog } from "../serve/catalog.ts";
import type { CatalogCache } from "../serve/catalog-cache.ts";
import { HANGAR_TOOL_NAMES } from "../serve/hangar-tools.ts";
import { searchTools } from "../serve/search-view.ts";
import { statusOf } from "../serve/status.ts";
import { toolsView } from "../serve/tools-view.ts";
import { type ConfigInput, openConfig } from "./open-config.ts";
import type {
  BatchInput,
  BatchResult,
  CallProgress,
  CallResult,
  HangarStatus,
  ProviderTool,
  ToolAnswer,
  ToolCall,
} from "./types.ts";

/** Options of `Hangar.open`; every field says its default. */
export interface HangarOptions extends ConfigInput {
  /** Hangar's own log lines on stderr from this level up: "debug", "info", "warn", "error" (default: none). */
  readonly logLevel?: string;
}

/** Options of `Hangar.call` and `Hangar.stream`; every field says its default. */
export interface CallOptions {
  /** Cancels every call still running; each ends `cancelled`, and the providers are told (MCP cancellation). */
  readonly signal?: AbortSignal;
  /** Deadline of the whole batch in ms, waiting included (default: the batch's `timeout_s`, else none). */
  readonly timeoutMs?: number;
  /** Told the progress a provider reports during call `index`. */
  readonly onProgress?: (index: number, progress: CallProgress) => void;
  /** A W3C trace context to continue (`traceparent`, `tracestate`), when Hangar records traces. */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /**
   * The batch's `max_result_bytes` when it sets none (default none); `hangar_call` over MCP caps results.
   * @internal
   */
  readonly defaultMaxResultBytes?: number;
  /** Keep the full answers of trimmed calls for `hangar_result` (default false). @internal */
  readonly keepTrimmed?: boolean;
  /** Fail a call whose provider asks for input with `input_required` (a 2026-07-28 client's `hangar_call`; default false). @internal */
  readonly refuseInput?: boolean;
  /**
   * What the client whose batch this is declared: a 2026-07-28 provider is told only what both it and
   * Hangar's connection declared (default: what the connection declared). @internal
   */
  readonly clientCapabilities?: ClientCapabilities;
}

/** Options of `Hangar.over`; every field says its default. @internal */
export interface OverOptions {
  /** Where the catalog caches what providers list, so the next run starts warm (default: nowhere). */
  readonly cache?: CatalogCache;
  /** When it counts as opened, on the gateway's clock (default now): a client's own gateway in a shared daemon reports the daemon's uptime. */
  readonly startedAt?: number;
}

/** Options of `Hangar.callTool`; every field says its default. */
export interface CallToolOptions {
  /** Cancels the call; it rejects with a `CallError` of type "cancelled" and the provider is told. */
  readonly signal?: AbortSignal;
  /** The call's deadline in ms, waiting included (default: the provider's `call_timeout_s`, 60 s). */
  readonly timeoutMs?: number;
  /** Told the progress the provider reports. */
  readonly onProgress?: (progress: CallProgress) => void;
}

/** Options of `Hangar.tools`; every field says its default. */
export interface ToolsOptions {
  /** What you want to do, in plain words: the best-matching tools, best first (default: every tool). */
  readonly query?: string;
  /** Only this provider's tools (default: every provider's). */
  readonly provider?: string;
  /** With `query`: how many tools (default 10). */
  readonly limit?: number;
  /** Stops waiting for providers that are starting to list their tools. */
  readonly signal?: AbortSignal;
}

/** Options of `Hangar.status`; every field says its default. */
export interface StatusOptions {
  /** Only this provider's health (default: every provider's; an unknown id gives none). */
  readonly provider?: string;
}

/** A batch whose results arrive as its calls settle; `result()` waits for the whole batch. */
export interface HangarStream extends AsyncIterable<CallResult> {
  readonly batchId: string;
  /** How many calls the batch has. */
  readonly total: number;
  /** Reads the results not read yet and resolves with the whole batch result, results in call order. */
  result(): Promise<BatchResult>;
}

/**
 * Hangar inside your process: the MCP servers of a config run as its providers, started on first use
 * (one start however many calls wait), stopped when idle, each behind its own limits, deadlines and
 * circuit breaker. Open one with `Hangar.open`, close it with `close()` or `await using`.
 *
 * @example
 * ```ts
 * await using hangar = await Hangar.open({ mcpServers: { memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] } } });
 * const batch = await hangar.call([{ provider: "memory", tool: "read_graph" }]);
 * ```
 */
export class Hangar implements AsyncDisposable {
  private readonly startedAt: number;
  private readonly closed = new AbortController();

  private constructor(
    /** The gateway: what a serving front needs for its per-request MCP work beyond this API. @internal */
    readonly gateway: Gateway,
    /** The providers' tools as MCP clients see them (the serving fronts list and follow it). @internal */
    readonly catalog: Catalog,
    startedAt: number = gateway.clock.now(),
  ) {
    this.startedAt = startedAt;
  }

  /**
   * Reads and checks the config and makes its providers callable. Nothing is started yet: a provider
   * starts on its first call (or `tools()`). Throws a `ConfigError` naming every problem of the config.
   */
  static async open(options: HangarOptions = {}): Promise<Hangar> {
    const config = await openConfig(options);
    const logger = options.logLevel === undefined ? silentLogger : createLogger({ level: options.logLevel });
    const pins = openPins(config, { logger });
    const gateway = new Gateway(config, {
      logger,
      ...(options.env ? { baseEnv: options.env } : {}),
      ...(pins ? { pins } : {}),
    });
    return Hangar.over(gateway, logger);
  }

  /**
   * A Hangar over a gateway built elsewhere (the CLI's `call` and `serve`, with their observability);
   * it closes the gateway.
   * @internal
   */
  static over(gateway: Gateway, logger: Logger = silentLogger, options: OverOptions = {}): Hangar {
    const cache = options.cache === undefined ? {} : { cache: options.cache };
    const catalog = new Catalog(gateway, { reserved: HANGAR_TOOL_NAMES, logger, ...cache });
    return new Hangar(gateway, catalog, options.startedAt);
  }

  /** The providers' ids, in config order. */
  get providers(): string[] {
    return [...this.gateway.handles.keys()];
  }

  /**
   * Runs the calls in parallel (`hangar_call`) and resolves with every result in call order. One call's
   * failure never stops the others; it is in its result's `error`. Rejects only for a malformed batch
   * (an `InvalidBatchError`, nothing ran).
   */
  call(calls: readonly ToolCall[] | BatchInput, options: CallOptions = {}): Promise<BatchResult> {
    return this.stream(calls, options).result();
  }

  /**
   * Starts the calls in parallel and yields each result as its call settles. Leaving the loop early
   * cancels the calls still running. Throws an `InvalidBatchError` for a malformed batch.
   */
  stream(calls: readonly ToolCall[] | BatchInput, options: CallOptions = {}): HangarStream {
    const batch = this.start(calls, options);
    return {
      batchId: batch.batchId,
      total: batch.total,
      [Symbol.asyncIterator]: () => batch.results,
      result: () => batch.collect(),
    };
  }

  /** The gateway's batch for `calls` under `options`. */
  private start(calls: readonly ToolCall[] | BatchInput, options: CallOptions): BatchStream {
    const request: BatchInput = Array.isArray(calls) ? { calls: [...calls] } : (calls as BatchInput);
    const timed =
      options.timeoutMs === undefined || request.timeout_s !== undefined
        ? request
        : { ...request, timeout_s: options.timeoutMs / 1000 };
    return this.gateway.stream(timed, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.traceparent === undefined ? {} : { traceparent: options.traceparent }),
      ...(options.tracestate === undefined ? {} : { tracestate: options.tracestate }),
      ...(options.defaultMaxResultBytes === undefined ? {} : { defaultMaxResultBytes: options.defaultMaxResultBytes }),
      ...(options.keepTrimmed ? { keepTrimmed: true } : {}),
      ...(options.refuseInput ? { refuseInput: true } : {}),
      ...(options.clientCapabilities ? { clientCapabilities: options.clientCapabilities } : {}),
    });
  }

  /**
   * Calls one tool (with the same limits, breaker and retries as a batch) and resolves with the provider's
   * answer; an answer with `isError` is the tool's own failure, returned as data. Rejects with a
   * `CallError` (its `type`: timeout, cancelled, unknown_tool, provider_unavailable, …) when there is no answer.
   */
  async callTool(
    provider: string,
    tool: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<ToolAnswer> {
    const result: CallResult = await this.gateway.callOne(
      {
        provider,
        tool,
        arguments: args,
        ...(options.timeoutMs === undefined ? {} : { timeout_s: options.timeoutMs / 1000 }),
      },
      {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
    if (result.result !== undefined) return result.result;
    const error = result.error ?? { type: "internal", message: "The call ended without an answer", retryable: false };
    throw new CallError(error.type, error.message, error.retryable);
  }

  /**
   * The providers' tools (their allow/deny lists applied), or with `query` the best matches ranked by
   * relevance (`hangar_tools`). Providers not listed yet are started to list them; one that cannot
   * start is left out (see `status()` for why).
   */
  async tools(options: ToolsOptions = {}): Promise<ProviderTool[]> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.closed.signal]) : this.closed.signal;
    const exposedName = (provider: string, tool: string) => this.catalog.exposed.nameOf(provider, tool);
    const view = await toolsView(this.gateway, this.catalog, exposedName, { provider: options.provider }, signal);
    const query = options.query?.trim();
    if (!query) {
      return view.providers.flatMap((p) =>
        p.tools.map((tool) => ({ provider: p.id, ...tool, inputSchema: tool.inputSchema as Record<string, unknown> })),
      );
    }
    const found = await searchTools(this.gateway, this.catalog, {
      query,
      provider: options.provider,
      limit: options.limit,
    });
    return found.tools.map(({ inputSchema, ...tool }) => ({
      ...tool,
      inputSchema: inputSchema as Record<string, unknown>,
    }));
  }

  /** Every provider's (or one provider's) state, load, failures, circuit breaker and uptime (`hangar_status`). */
  status(options: StatusOptions = {}): HangarStatus {
    return statusOf(this.gateway, this.catalog, this.startedAt, options.provider);
  }

  /** Cancels every running call and stops every provider (their processes have exited when it resolves). */
  async close(): Promise<void> {
    this.closed.abort();
    this.catalog.close();
    await this.gateway.close();
  }

  /** `await using hangar = await Hangar.open(…)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
