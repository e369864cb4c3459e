import type { ClientCapabilities, Progress } from "@modelcontextprotocol/client";
import { type Clock, systemClock } from "../clock.ts";
import { type ConfigDiff, diffConfig, isEmptyDiff } from "../config/config-diff.ts";
import type { ResolvedConfig, ResolvedProvider } from "../config/types.ts";
import { CancelledError, InvalidBatchError } from "../errors.ts";

export type { OneCallResult, ProviderRpcError } from "./call-work.ts";
export { InvalidBatchError };

import { type Logger, silentLogger } from "../observability/log.ts";
import { type BatchInfo, type GatewayRecorder, noop, noopRecorder } from "../observability/recorder.ts";
import type { Pins } from "../pinning/index.ts";
import { type InputRound, ProviderHandle } from "../pool/index.ts";
import {
  type ClientBridge,
  createDriver,
  type Driver,
  type EraMemory,
  noEraMemory,
  type Spawner,
  systemSpawner,
} from "../providers/index.ts";
import { AbortGroup, runBatch, runOne, Semaphore } from "../scheduler/index.ts";
import { checkBatch } from "./batch-check.ts";
import { type BatchPlan, planBatch } from "./batch-plan.ts";
import type { BatchRequest, BatchResult, CallRequest } from "./batch-schema.ts";
import { BatchStream } from "./batch-stream.ts";
import {
  type Attempts,
  type CallWorkContext,
  callWork,
  type OneCallResult,
  providerRpcError,
  resultOf,
} from "./call-work.ts";
import { ConfigRecord, type ReloadTrigger } from "./config-record.ts";
import { type ProviderLender, ProviderTable, type Retiring } from "./provider-table.ts";
import { ResultStore } from "./result-store.ts";
import { ResultTrimmer } from "./result-trim.ts";
import { Router } from "./router.ts";

/** Seams for tests and benchmarks; every field says its default. */
export interface GatewayDeps {
  /** Starts provider processes (default: real processes). */
  readonly spawner?: Spawner;
  /** Time and timers (default: the system clock). */
  readonly clock?: Clock;
  /** Where logs go (default: nowhere). */
  readonly logger?: Logger;
  /** The environment providers inherit (default process.env). */
  readonly baseEnv?: Readonly<Record<string, string | undefined>>;
  /** The MCP client in front of Hangar, for providers' requests and logs (default none). */
  readonly bridge?: ClientBridge;
  /** Told about batches, calls and providers, for metrics, traces and logs (default: nothing). */
  readonly recorder?: GatewayRecorder;
  /** Tool pinning: reviews what providers list and refuses calls to withheld tools (default none). */
  readonly pins?: Pins;
  /**
   * Where each provider's protocol era is remembered between runs, so a start sends no `server/discover`
   * probe (default: nowhere; every start probes).
   */
  readonly eras?: EraMemory;
  /**
   * A gateway whose providers this one uses instead of its own, except those marked `perClient`: their
   * instances, concurrency limits and drain counts are shared, and `close` or a reload leaves them to
   * their owner (default: none; the shared daemon gives each client such a gateway when the config has
   * per-client providers, and reloads it after its own gateway).
   */
  readonly borrowFrom?: Gateway;
  /**
   * The driver of a provider, in place of the one its transport names when this returns one (default:
   * none; tests give an in-memory driver where processes are not the point).
   */
  readonly driverFor?: (provider: ResolvedProvider) => Driver | undefined;
}

/** Per-batch hooks. */
export interface BatchOptions {
  /** Cancels every call of the batch still running (upstream too). */
  readonly signal?: AbortSignal | undefined;
  /** Told the progress a provider reports during call `index`. */
  readonly onProgress?: (index: number, progress: Progress) => void;
  /** The caller's W3C trace context (`_meta.traceparent` or the HTTP header); the batch's trace continues it. */
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
  /** The batch's `max_result_bytes` when it sets none (default none: results untouched unless asked). */
  readonly defaultMaxResultBytes?: number;
  /** Keep the full answers of trimmed calls in `keptResults`, for `hangar_result` (default false). */
  readonly keepTrimmed?: boolean;
  /**
   * For a call a 2026-07-28 client makes by name (`callOne`): the round it is in; a provider's
   * `input_required` is then the call's result (default: none).
   */
  readonly inputRound?: InputRound | undefined;
  /**
   * For a call a client makes by name (`callOne`): what that client declared; a 2026-07-28 provider is
   * told only what both it and Hangar's connection declared (default: what the connection declared).
   */
  readonly clientCapabilities?: ClientCapabilities | undefined;
  /**
   * The caller cannot be asked for input (a 2026-07-28 client's `hangar_call`): a call whose provider asks
   * for some fails with `input_required` (default false: the client's handlers are asked).
   */
  readonly refuseInput?: boolean;
}

/** Options of `Gateway.callOne`: a batch's hooks for one call; every field says its default. */
export interface CallOneOptions extends Omit<BatchOptions, "onProgress"> {
  /** Told the progress the provider reports. */
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /**
   * The caller's cancellation as a group rather than a signal (default none): aborting it cancels the
   * call (upstream too) as `signal` would, without a listener per call on a signal of the caller's.
   * Give one of the two (a call with `select` or a result limit runs as a batch, which follows `signal`,
   * else the group's own signal).
   */
  readonly cancel?: AbortGroup | undefined;
}

/** Options of `Gateway.startAll`; every field says its default. */
export interface StartAllOptions {
  /** Ends the start-up: no further provider is started, and starts under way are left (required). */
  readonly signal: AbortSignal;
  /** Providers started at once (default 4). */
  readonly concurrency?: number;
  /** Which providers to start (default: every one). */
  readonly only?: (handle: ProviderHandle) => boolean;
}

/**
 * The one object that `serve`, `call` and `bench` use: it owns the providers, routes each call, runs
 * batches under the global and per-provider limits, and shuts everything down.
 */
export class Gateway {
  private readonly router: Router;
  /** What each call's work reads of the gateway: the router and the pins. */
  private readonly callContext: CallWorkContext;
  private validatorWarm = false;
  private readonly global: Semaphore;
  /** The providers (changed in place by `reload`) and their permits. */
  private readonly table: ProviderTable;
  private current: ResolvedConfig;
  private readonly reloadListeners = new Set<(diff: ConfigDiff) => void>();
  /** Which config is applied, since when, and how reloads went (`hangar_status`, `/readyz`). */
  readonly configRecord: ConfigRecord;
  /** The one clock of the process: every timer and every time read (status, uptimes) uses it. */
  readonly clock: Clock;
  private readonly recorder: GatewayRecorder;
  /** Tool pinning, when on: what is pinned, what changed, what is withheld. */
  readonly pins: Pins | undefined;
  /** Built with `borrowFrom`: what it borrowed (instances, pins) is closed by its owner. */
  private readonly borrowing: boolean;
  private readonly shutdown = new AbortController();
  /** The calls made by name (`callOne`) running now, cancelled together at shutdown. */
  private readonly running = new AbortGroup();
  private closing: Promise<void> | undefined;
  /** The full answers of calls that batches trimmed, for `hangar_result` (10 minutes, 64 MiB). */
  readonly keptResults: ResultStore;

  constructor(config: ResolvedConfig, deps: GatewayDeps = {}) {
    this.current = config;
    this.configRecord = new ConfigRecord(config);
    this.clock = deps.clock ?? systemClock;
    this.recorder = deps.recorder ?? noopRecorder;
    this.pins = deps.pins;
    this.borrowing = deps.borrowFrom !== undefined;
    const logger = deps.logger ?? silentLogger;
    const driverDeps = {
      spawner: deps.spawner ?? systemSpawner,
      logger,
      ...(deps.baseEnv ? { baseEnv: deps.baseEnv } : {}),
      ...(deps.bridge ? { bridge: deps.bridge } : {}),
    };
    this.table = new ProviderTable(
      config.providers,
      (provider) =>
        new ProviderHandle(
          provider,
          deps.driverFor?.(provider) ?? createDriver(provider, driverDeps),
          this.clock,
          logger,
          this.recorder,
          deps.pins,
          deps.eras ?? noEraMemory,
        ),
      deps.borrowFrom?.lender,
    );
    this.router = new Router(this.table.handles);
    this.callContext = { router: this.router, pins: this.pins };
    this.global = new Semaphore(config.maxConcurrency, Number.POSITIVE_INFINITY, "the gateway");
    this.keptResults = new ResultStore(this.clock);
  }

  /** The config applied now. */
  get config(): ResolvedConfig {
    return this.current;
  }

  /** Each provider id's current instance, in config order (a reload changes it in place). */
  get handles(): ReadonlyMap<string, ProviderHandle> {
    return this.table.handles;
  }

  /**
   * Applies a new config to the running gateway (a live reload) and returns what changed. A new provider
   * is callable at once; a removed one finishes the calls it accepted, then stops, and new calls get
   * `unknown_provider`; one whose launch settings changed gets a new instance for new calls while the
   * old one finishes its calls; a policy-only change applies in place (a call already running is never
   * refused by a new deny; the next one is). Listeners (`onReload`) hear of any change.
   */
  reload(next: ResolvedConfig, trigger: ReloadTrigger = "manual"): ConfigDiff {
    if (this.closing) throw new CancelledError("Hangar is shutting down; the config is not reloaded");
    const diff = diffConfig(this.current, next);
    this.table.apply(next.providers, diff);
    if (next.maxConcurrency !== this.current.maxConcurrency) this.global.resize(next.maxConcurrency);
    this.current = next;
    const empty = isEmptyDiff(diff);
    this.configRecord.record(empty ? "unchanged" : "applied", trigger, next);
    if (!empty) for (const listener of this.reloadListeners) listener(diff);
    return diff;
  }

  /** Calls `listener` after each reload that changed something; returns the function that stops it. */
  onReload(listener: (diff: ConfigDiff) => void): () => void {
    this.reloadListeners.add(listener);
    return () => this.reloadListeners.delete(listener);
  }

  /** Provider instances a reload removed or replaced that have not stopped yet, and the calls they still run. */
  retiring(): Retiring[] {
    return this.table.retiring();
  }

  /** Resolves once every instance a reload retired has finished its calls and stopped. */
  drained(): Promise<void> {
    return this.table.drained();
  }

  /**
   * Checks a batch request's shape and size, and plans its dependent calls (references well-formed,
   * naming unique ids, no cycle); throws InvalidBatchError naming every problem.
   */
  parseBatch(input: unknown): { request: BatchRequest; plan: BatchPlan } {
    const parsed = checkBatch(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (issue) => `${issue.path.length ? issue.path.join(".") : "request"}: ${issue.message}`,
      );
      throw new InvalidBatchError(
        `Invalid batch: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}`,
      );
    }
    if (parsed.data.calls.length > this.config.maxBatchSize) {
      throw new InvalidBatchError(
        `Invalid batch: it has ${parsed.data.calls.length} calls and the limit is ${this.config.maxBatchSize} (max_batch_size); split it into smaller batches`,
      );
    }
    return { request: parsed.data, plan: planBatch(parsed.data.calls) };
  }

  /** Starts a batch and streams its results as calls finish. Throws InvalidBatchError for a malformed request. */
  stream(input: unknown, options: BatchOptions = {}): BatchStream {
    const { request, plan } = this.parseBatch(input);
    return this.start(request, options, plan);
  }

  /**
   * Starts a batch already known to be well-formed. Without a plan (a pass-through call built by Hangar)
   * its arguments are sent as they are, references and all.
   */
  private start(
    request: BatchRequest,
    options: BatchOptions,
    plan?: BatchPlan,
    onFailure?: (index: number, error: unknown) => void,
  ): BatchStream {
    const batchId = crypto.randomUUID();
    const attempts = request.calls.map((): Attempts => ({ count: 0, safe: false }));
    const acceptedAt = this.clock.now();
    const recorded = this.recorder.batchStarted({
      batchId,
      size: request.calls.length,
      traceparent: options.traceparent,
      tracestate: options.tracestate,
    });
    const recorders = request.calls.map((call, index) =>
      recorded.callStarted({ index, provider: call.provider, tool: call.tool, id: call.id }),
    );
    const holds: (() => void)[] = [];
    const calls = request.calls.map((_, index) =>
      callWork(this.callContext, request.calls, index, {
        batchPlan: plan,
        attempts: attempts[index]!,
        onProgress: progressOf(options, index),
        inputRound: options.refuseInput ? "refuse" : options.inputRound,
        clientCapabilities: options.clientCapabilities,
        recorder: recorders[index]!,
        routed: (handle) => {
          holds[index] = this.table.hold(handle);
        },
      }),
    );
    const trimmer = new ResultTrimmer(
      request.calls,
      request.max_result_bytes ?? options.defaultMaxResultBytes,
      options.keepTrimmed ? (index, answer, bytes) => this.keptResults.put(batchId, index, answer, bytes) : undefined,
    );
    this.warmValidator();
    const settled = runBatch(calls, {
      clock: this.clock,
      global: this.global,
      permitsFor: (key) => this.table.permitsFor(key),
      ...(request.max_concurrency === undefined ? {} : { maxConcurrency: request.max_concurrency }),
      signals: options.signal ? [options.signal, this.shutdown.signal] : [this.shutdown.signal],
      ...(request.timeout_s === undefined ? {} : { batchTimeoutMs: request.timeout_s * 1000 }),
      failFast: request.fail_fast ?? false,
      isFailure: (answer) => answer.isError === true,
    });
    return new BatchStream({
      batchId,
      total: calls.length,
      clock: this.clock,
      acceptedAt,
      settled,
      resultOf: (outcome) => {
        if (outcome.value === undefined) onFailure?.(outcome.index, outcome.error);
        const result = resultOf(request.calls[outcome.index]!, outcome, attempts[outcome.index]!);
        holds[outcome.index]?.();
        recorders[outcome.index]!.finished(result);
        return trimmer.settled(result);
      },
      ...(trimmer.active ? { share: trimmer } : {}),
      onEnd: (elapsedMs, failed) => {
        // A consumer that left early: its calls were cancelled, and no longer keep a provider draining.
        for (const release of holds) release?.();
        recorded.finished({ elapsedMs, failed });
      },
    });
  }

  /** Runs a batch to the end and returns the whole result, in call order. */
  run(input: unknown, options: BatchOptions = {}): Promise<BatchResult> {
    return this.stream(input, options).collect();
  }

  /**
   * Runs one call with the limits, breaker, retries, deadline and recording of a batch of one; never
   * throws for the call's failure. A call without `select` or a result limit (a pass-through call) runs
   * on its own, without the batch machinery around it (scheduler generator, batch signal, stream).
   */
  async callOne(call: CallRequest, options: CallOneOptions = {}): Promise<OneCallResult> {
    if (
      call.select !== undefined ||
      call.max_result_bytes !== undefined ||
      options.defaultMaxResultBytes !== undefined ||
      options.keepTrimmed
    ) {
      const { onProgress, cancel, ...rest } = options;
      // A batch follows a signal: the cancel group's, when the caller gave a group rather than a signal.
      return this.callOneAsBatch(call, cancel && !rest.signal ? { ...rest, signal: cancel.signal } : rest, onProgress);
    }
    // Without a recorder (no logs, metrics or traces asked for) nothing is built to tell it.
    const quiet = this.recorder === noopRecorder;
    const acceptedAt = quiet ? 0 : this.clock.now();
    const recorded = quiet
      ? noop.batch
      : this.recorder.batchStarted(new SingleCall(options.traceparent, options.tracestate));
    const recorder = quiet
      ? noop.call
      : recorded.callStarted({ index: 0, provider: call.provider, tool: call.tool, id: call.id });
    const attempts: Attempts = { count: 0, safe: false };
    let hold: (() => void) | undefined;
    const work = callWork(this.callContext, [call], 0, {
      attempts,
      onProgress: options.onProgress,
      inputRound: options.inputRound,
      clientCapabilities: options.clientCapabilities,
      recorder,
      routed: (handle) => {
        hold = this.table.hold(handle);
      },
    });
    this.warmValidator();
    const outcome = await runOne(work, {
      clock: this.clock,
      global: this.global,
      permitsFor: this.permitsFor,
      signals: options.signal ? [options.signal] : undefined,
      group: this.running,
      cancel: options.cancel,
    });
    const result = resultOf(call, outcome, attempts);
    hold?.();
    if (!quiet) {
      recorder.finished(result);
      recorded.finished({ elapsedMs: this.clock.now() - acceptedAt, failed: result.ok ? 0 : 1 });
    }
    const rpcError = outcome.value === undefined ? providerRpcError(outcome.error) : undefined;
    return rpcError === undefined ? result : { ...result, rpcError };
  }

  /** The per-provider permits of a call's key, for the scheduler (one function for every call). */
  private readonly permitsFor = (key: string): Semaphore | undefined => this.table.permitsFor(key);

  /** `callOne` as a batch of one (a call with `select` or a result limit). */
  private async callOneAsBatch(
    call: CallRequest,
    options: Omit<BatchOptions, "onProgress">,
    onProgress: ((progress: Progress) => void) | undefined,
  ): Promise<OneCallResult> {
    let cause: unknown;
    // One call built by Hangar itself (a pass-through tool): its shape needs no checking.
    const batch = this.start(
      { calls: [call] },
      { ...options, ...(onProgress ? { onProgress: (_: number, progress: Progress) => onProgress(progress) } : {}) },
      undefined,
      (_, error) => {
        cause = error;
      },
    );
    for await (const result of batch.results) {
      const rpcError = providerRpcError(cause);
      return rpcError === undefined ? result : { ...result, rpcError };
    }
    throw new Error("a batch of one call ended without its result");
  }

  /**
   * Once, as the first call is on its way (a cold provider being spawned): ajv's one-time setup runs while
   * a start slower than 25 ms still waits, rather than on the first call's path; a provider ready sooner
   * has had its call checked by then (a plain schema without ajv, issue 11), and nothing is warmed.
   */
  private warmValidator(): void {
    if (this.validatorWarm) return;
    this.validatorWarm = true;
    this.clock.setTimeout(() => this.router.warmUp(), 25);
  }

  /**
   * Starts providers (sharing any start under way), `concurrency` at a time, until each is ready or has
   * failed, or `signal` aborts. Never rejects: resolves with why each provider that failed to start did.
   */
  async startAll({ signal, concurrency = 4, only }: StartAllOptions): Promise<ReadonlyMap<string, unknown>> {
    const queue = [...this.handles.values()].filter((handle) => only?.(handle) ?? true);
    const failures = new Map<string, unknown>();
    const worker = async () => {
      for (let handle = queue.shift(); handle && !signal.aborted; handle = queue.shift()) {
        await handle.ensureReady(signal).catch((error: unknown) => {
          if (!signal.aborted) failures.set(handle.config.id, error);
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return failures;
  }

  /**
   * Takes provider `providerId`'s permit, then a global one, as a call does (waiting in line; `overloaded`
   * past the provider's `max_queue`; the signal's reason if it aborts first), for a call the front sends
   * by another path (a call relayed as a task); the returned function gives both back.
   */
  async permits(providerId: string, signal: AbortSignal): Promise<() => void> {
    const perProvider = this.table.permitsFor(providerId);
    const releaseProvider = perProvider ? await perProvider.acquire(signal) : undefined;
    try {
      const releaseGlobal = await this.global.acquire(signal);
      return () => {
        releaseGlobal();
        releaseProvider?.();
      };
    } catch (error) {
      releaseProvider?.();
      throw error;
    }
  }

  /** Calls of a provider running now and waiting for a permit (0 and 0 for an unknown id). */
  load(providerId: string): { inFlight: number; queued: number } {
    const permits = this.table.permitsFor(providerId);
    return { inFlight: permits?.inUse ?? 0, queued: permits?.queued ?? 0 };
  }

  /** Lends this gateway's provider instances and their permits to a gateway built with `borrowFrom` it. */
  get lender(): ProviderLender {
    return this.table;
  }

  /** Cancels every running call and stops every provider it owns (not borrowed ones); safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const reason = new CancelledError("Hangar is shutting down");
      this.shutdown.abort(reason);
      this.running.abort(reason);
      // A borrower was lent its pins with the providers: their owner closes them.
      if (!this.borrowing) this.pins?.close();
      await this.table.stopAll();
      await this.recorder.flush();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** The progress listener of call `index`, if the batch has one. */
function progressOf(options: BatchOptions, index: number): ((progress: Progress) => void) | undefined {
  const listener = options.onProgress;
  return listener ? (progress) => listener(index, progress) : undefined;
}

/** A call made by name, as recorders see it: a batch of one whose id is made when first read (metrics never read it). */
class SingleCall implements BatchInfo {
  readonly size = 1;
  readonly single = true;
  private id: string | undefined;

  constructor(
    readonly traceparent: string | undefined,
    readonly tracestate: string | undefined,
  ) {}

  get batchId(): string {
    this.id ??= crypto.randomUUID();
    return this.id;
  }
}
