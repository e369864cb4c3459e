/**
 * `hangar bench` end to end: pick safe tools, warm the providers, then run fan-out, overhead, cold start
 * and concurrent clients through the library's Hangar (the path every front takes), and return one report.
 */
import type { Gateway } from "../gateway/index.ts";
import type { Hangar } from "../lib/hangar.ts";
import { type HeadlineRow, headline } from "./headline.ts";
import { overhead } from "./overhead.ts";
import { pickTargets } from "./pick-targets.ts";
import type { BenchFailure, BenchReport, BenchTarget } from "./report.ts";
import { coldStart, concurrentClients, fanOut, type ProgressListener, type ScenarioContext } from "./scenarios.ts";
import { batchOf, spread } from "./timed-calls.ts";

/** Options of `runBench`; every field says its default. */
export interface BenchOptions {
  /** Only these providers (default: all). */
  readonly providers?: readonly string[];
  /** Tools to call (`tool` or `provider/tool`), writing tools included (default: read-only tools picked by bench). */
  readonly tools?: readonly string[];
  /** Arguments for the named tools (default: from each tool's schema). */
  readonly args?: Record<string, unknown>;
  /** Calls per batch (default 20). */
  readonly calls?: number;
  /** Rounds of each scenario (default 3). */
  readonly rounds?: number;
  /** Concurrent callers for the cold start and concurrent clients (default 10). */
  readonly concurrency?: number;
  /** Stops the benchmark early. */
  readonly signal?: AbortSignal;
  /** Called as the benchmark moves on (default: nothing). */
  readonly progress?: ProgressListener;
}

/** The report of `hangar bench --headline`: the brief's three scenarios as one table. */
export interface HeadlineReport {
  readonly config: string;
  readonly targets: readonly BenchTarget[];
  readonly skipped: BenchReport["skipped"];
  readonly rows: readonly HeadlineRow[];
  /** The first call that failed, of the first row that had one (absent when every call succeeded). */
  readonly first_failure?: BenchFailure;
  /** Every call of every scenario succeeded. */
  readonly ok: boolean;
}

/** Picks the targets and warms them up: every target called once, so no round measures a first call. */
async function prepare(hangar: Hangar, options: BenchOptions, signal: AbortSignal) {
  const { gateway } = hangar;
  const picked = await pickTargets(gateway, {
    demo: gateway.config.source.kind === "demo",
    signal,
    ...(options.providers ? { providers: options.providers } : {}),
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.args ? { args: options.args } : {}),
  });
  await hangar.call(batchOf([...picked.targets, picked.overhead]), { signal });
  return picked;
}

/** Runs the brief's headline scenarios (see headline.ts) against the Hangar's providers; the caller closes it. */
export async function runHeadline(hangar: Hangar, options: BenchOptions = {}): Promise<HeadlineReport> {
  const { gateway } = hangar;
  const signal = options.signal ?? new AbortController().signal;
  (options.progress ?? (() => {}))("starting providers", 0, 1);
  const picked = await prepare(hangar, options, signal);
  const rows = await headline(hangar, picked.targets, signal);
  const failure = rows.find((row) => row.first_failure !== undefined)?.first_failure;
  return {
    config: gateway.config.source.kind === "file" ? gateway.config.source.path : "demo",
    targets: picked.targets,
    skipped: picked.skipped,
    rows,
    ...(failure ? { first_failure: failure } : {}),
    ok: rows.every((row) => row.success_rate === 1),
  };
}

/** Runs every scenario against the Hangar's providers; the caller closes it. */
export async function runBench(hangar: Hangar, options: BenchOptions = {}): Promise<BenchReport> {
  const { gateway } = hangar;
  const config = gateway.config;
  const settings = { calls: options.calls ?? 20, rounds: options.rounds ?? 3, concurrency: options.concurrency ?? 10 };
  const signal = options.signal ?? new AbortController().signal;
  const progress = options.progress ?? (() => {});
  progress("starting providers", 0, 1);
  const picked = await prepare(hangar, options, signal);
  const context: ScenarioContext = { hangar, targets: picked.targets, ...settings, signal, progress };
  const fan = await fanOut(context);
  const over = await overhead(context, picked.overhead);
  const cold = await coldStart(context);
  const clients = await concurrentClients(context);
  const runs = [fan.sequential, fan.parallel, ...("skipped" in over ? [] : [over.direct, over.hangar]), cold, clients];
  const failure = runs.find((run) => run.first_failure !== undefined)?.first_failure;
  return {
    config: config.source.kind === "file" ? config.source.path : "demo",
    settings,
    targets: picked.targets,
    skipped: picked.skipped,
    fan_out: fan,
    overhead: over,
    cold_start: cold,
    concurrent_clients: clients,
    notes: waveNotes(gateway, picked.targets, settings.calls),
    ...(failure ? { first_failure: failure } : {}),
    ok: runs.every((run) => run.succeeded === run.calls),
  };
}

/** A note for each provider that gets more calls of a batch than its max_concurrency: they run in waves. */
function waveNotes(gateway: Gateway, targets: readonly BenchTarget[], calls: number): string[] {
  const perProvider = new Map<string, number>();
  for (const call of spread(targets, calls)) perProvider.set(call.provider, (perProvider.get(call.provider) ?? 0) + 1);
  return [...perProvider].flatMap(([id, count]) => {
    const limit = gateway.handles.get(id)!.config.maxConcurrency;
    if (count <= limit) return [];
    return [
      `"${id}" gets ${count} calls of each batch and has max_concurrency ${limit}: they run in ${Math.ceil(count / limit)} waves`,
    ];
  });
}
