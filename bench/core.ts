// Core benchmark: fan-out speedup, single-flight cold start, and the latency hangar adds to one call.
// Every figure is printed beside its baseline, measured in the same process on the same machine.
//
//   bun run bench/core.ts [--fanout-rounds 7] [--calls 50] [--providers 5] [--latency-ms 100] [--overhead-calls 2000] [--observe none|metrics|all] [--only fanout,cold,overhead] [--before <dir>] [--json]
//
// --only: run just these scenarios (default all three).
// --floor-2026: the fan-out rounds also run the floor's calls through direct v2 clients in MCP 2026-07-28,
// the era hangar reaches its providers in (the providers' own cost per request is higher in it), and
// print hangar's batch above that floor too.
// --before <source tree>: the fan-out rounds also run the batch through that tree's Gateway (another
// checkout of Hangar, node_modules linked), alternating with this one's, e.g. before and after a change.
// --observe: what the gateway records into during the added-latency run: nothing (the default, as in
// `hangar call`), Prometheus metrics (as `serve --http`), or metrics plus tracing (spans made and
// batched, then dropped by a discarding exporter, so the figure is Hangar's own cost).

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client as ModernClient } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { combineRecorders, type GatewayRecorder, noopRecorder } from "../src/observability/index.ts";
import { createMetrics } from "../src/observability/metrics.ts";
import { createTracing } from "../src/observability/tracing.ts";
import { type Spawner, systemSpawner } from "../src/providers/index.ts";
import { benchConfig, benchProvider } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "50" },
    providers: { type: "string", default: "5" },
    "latency-ms": { type: "string", default: "100" },
    "overhead-calls": { type: "string", default: "2000" },
    observe: { type: "string", default: "none" },
    "fanout-rounds": { type: "string", default: "7" },
    "floor-2026": { type: "boolean", default: false },
    only: { type: "string", default: "fanout,cold,overhead" },
    before: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const PROVIDERS = Number(values.providers);
const LATENCY = Number(values["latency-ms"]);
const OVERHEAD_CALLS = Number(values["overhead-calls"]);
const OBSERVE = values.observe;
const FANOUT_ROUNDS = Number(values["fanout-rounds"]);
const ONLY = new Set(values.only.split(","));
const BEFORE = values.before;
for (const name of ONLY)
  if (!["fanout", "cold", "overhead"].includes(name))
    throw new Error(`--only takes fanout, cold and overhead, not "${name}"`);
if (!["none", "metrics", "all"].includes(OBSERVE))
  throw new Error(`--observe must be none, metrics or all, not "${OBSERVE}"`);

const root = resolve(import.meta.dir, "..");
const dist = join(root, "dist/hangar");
const hangar = existsSync(dist) ? [dist] : [process.execPath, join(root, "src/main.ts")];

const provider = (id: string, overrides: Partial<ResolvedProvider> = {}) =>
  benchProvider(id, [...hangar, "demo-provider", "--name", id], overrides);
const config = benchConfig;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (n: number) => Number(n.toFixed(3));

/** What the fan-out asks of either SDK's client. */
interface DirectClient {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

/** A v2 client of a demo provider of its own, in MCP 2026-07-28 (its demo provider on the SDK, as hangar's). */
async function modernClient(id: string): Promise<DirectClient> {
  const client = new ModernClient({ name: "bench-direct", version: "1" }, { versionNegotiation: { mode: "auto" } });
  await client.connect(
    new ModernStdioTransport({
      command: hangar[0]!,
      args: [...hangar.slice(1), "demo-provider", "--name", id],
      env: { ...process.env } as Record<string, string>,
      stderr: "ignore",
    }),
  );
  return client;
}

async function directClient(id: string): Promise<Client> {
  const client = new Client({ name: "bench-direct", version: "1" });
  await client.connect(
    new StdioClientTransport({
      command: hangar[0]!,
      args: [...hangar.slice(1), "demo-provider", "--name", id],
      stderr: "ignore",
    }),
  );
  return client;
}

/** What one way of running the batch measured, round by round. */
interface BatchRuns {
  readonly walls: number[];
  readonly cpus: number[];
  succeeded: number;
}

/**
 * A batch of CALLS sleeps over PROVIDERS providers: one after another through direct clients, then in
 * rounds the floor and one hangar batch (and, with --before, one batch through the Gateway of that
 * source tree too, the order alternating round by round).
 */
async function fanOut() {
  const ids = Array.from({ length: PROVIDERS }, (_, i) => `p${i}`);
  const calls = Array.from({ length: CALLS }, (_, i) => ({
    provider: ids[i % PROVIDERS]!,
    tool: "sleep",
    arguments: { ms: LATENCY },
  }));
  const clients = await Promise.all(ids.map(directClient));
  const start = performance.now();
  for (const call of calls)
    await clients[ids.indexOf(call.provider)]!.callTool({ name: call.tool, arguments: call.arguments });
  const sequential = performance.now() - start;
  await using gateway = new Gateway(config(ids.map((id) => provider(id))));
  const gateways: { name: string; run: (request: unknown) => Promise<{ succeeded: number }> }[] = [
    { name: "hangar", run: (request) => gateway.run(request) },
  ];
  await using old = BEFORE === undefined ? undefined : await beforeGateway(BEFORE, ids);
  if (old) gateways.push({ name: "before", run: (request) => old.run(request) });
  // Warm providers and gateways, as in steady use (the direct clients were warmed by the sequential
  // pass): started, and the same batch run once before the timed ones.
  for (const { run } of gateways) await run({ calls });
  // Interleaved rounds: the floor (the same calls all at once through the direct clients, no hangar in
  // between), then the batches; the medians, and the median of each round's difference. Beside each,
  // the CPU time of this process's main thread over it: the direct clients' for the floor, Hangar's for
  // a batch (the figure that depends least on what else the machine runs).
  const floor: BatchRuns = { walls: [], cpus: [], succeeded: 0 };
  const modern = values["floor-2026"] ? await Promise.all(ids.map(modernClient)) : undefined;
  const floor2026: BatchRuns = { walls: [], cpus: [], succeeded: 0 };
  const allAtOnce = async (through: DirectClient[]) => {
    await Promise.all(
      calls.map((call) =>
        through[ids.indexOf(call.provider)]!.callTool({ name: call.tool, arguments: call.arguments }),
      ),
    );
    return calls.length;
  };
  if (modern) await allAtOnce(modern);
  const runs = new Map(gateways.map(({ name }) => [name, { walls: [], cpus: [], succeeded: 0 } as BatchRuns]));
  const timed = async (into: BatchRuns, work: () => Promise<number>) => {
    const cpu = mainThreadCpuMs();
    const begun = performance.now();
    into.succeeded = await work();
    into.walls.push(performance.now() - begun);
    into.cpus.push(mainThreadCpuMs() - cpu);
  };
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    await timed(floor, () => allAtOnce(clients));
    if (modern) await timed(floor2026, () => allAtOnce(modern));
    const order = round % 2 === 0 ? gateways : [...gateways].reverse();
    for (const { name, run } of order) await timed(runs.get(name)!, async () => (await run({ calls })).succeeded);
  }
  await Promise.all([...clients, ...(modern ?? [])].map((c) => c.close()));
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  const summary = ({ walls, cpus, succeeded }: BatchRuns) => ({
    ms: ms(median(walls)),
    above_floor_ms: ms(median(walls.map((wall, i) => wall - floor.walls[i]!))),
    cpu_ms: ms(median(cpus)),
    succeeded,
  });
  const hangar = summary(runs.get("hangar")!);
  return {
    calls: CALLS,
    providers: PROVIDERS,
    latency_ms: LATENCY,
    rounds: FANOUT_ROUNDS,
    sequential_ms: ms(sequential),
    direct_parallel_ms: ms(median(floor.walls)),
    floor_cpu_ms: ms(median(floor.cpus)),
    hangar_ms: hangar.ms,
    above_floor_ms: hangar.above_floor_ms,
    hangar_cpu_ms: hangar.cpu_ms,
    speedup: ms(sequential / hangar.ms),
    succeeded: hangar.succeeded,
    ...(runs.has("before") ? { before: summary(runs.get("before")!) } : {}),
    ...(modern
      ? {
          floor_2026: {
            ms: ms(median(floor2026.walls)),
            hangar_above_ms: ms(median(runs.get("hangar")!.walls.map((wall, i) => wall - floor2026.walls[i]!))),
          },
        }
      : {}),
  };
}

/** The Gateway of the source tree `root` (another checkout of Hangar), over the same providers. */
async function beforeGateway(root: string, ids: readonly string[]) {
  const { Gateway: Before } = await import(join(resolve(root), "src/gateway/index.ts"));
  return new Before(config(ids.map((id) => provider(id)))) as {
    run(request: unknown): Promise<{ succeeded: number }>;
    [Symbol.asyncDispose](): Promise<void>;
  };
}

/**
 * CPU time of this process's main thread, in ms: where Hangar's JavaScript runs, without the runtime's
 * helper threads (JIT, GC), from /proc/self/task/<pid>/schedstat (nanoseconds; Linux); elsewhere the
 * whole process's user + system time.
 */
function mainThreadCpuMs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
  }
}

/** 50 concurrent calls to a cold provider: how many processes start, and how long the batch takes. */
async function coldStart() {
  let spawns = 0;
  const counting: Spawner = (request) => {
    spawns++;
    return systemSpawner(request);
  };
  await using gateway = new Gateway(config([provider("cold")]), { spawner: counting });
  const start = performance.now();
  const batch = await gateway.run({
    calls: Array.from({ length: 50 }, (_, i) => ({
      provider: "cold",
      tool: "echo",
      arguments: { message: String(i) },
    })),
  });
  return { concurrent_calls: 50, starts: spawns, succeeded: batch.succeeded, wall_ms: ms(performance.now() - start) };
}

/** One `echo` at a time: a direct SDK client vs the same call through the gateway, interleaved in rounds. */
async function overhead() {
  const direct = await directClient("direct");
  await using gateway = new Gateway(config([provider("via")]), { recorder: observer() });
  const request = { calls: [{ provider: "via", tool: "echo", arguments: { message: "x" } }] };
  const directTimes: number[] = [];
  const hangarTimes: number[] = [];
  const rounds = 10;
  for (let round = 0; round < rounds + 1; round++) {
    const n = round === 0 ? 200 : OVERHEAD_CALLS / rounds; // Round 0 warms both paths up and is not counted.
    for (let i = 0; i < n; i++) {
      let t = performance.now();
      await direct.callTool({ name: "echo", arguments: { message: "x" } });
      if (round > 0) directTimes.push(performance.now() - t);
      t = performance.now();
      await gateway.run(request);
      if (round > 0) hangarTimes.push(performance.now() - t);
    }
  }
  await direct.close();
  directTimes.sort((a, b) => a - b);
  hangarTimes.sort((a, b) => a - b);
  const row = (p: number) => ({
    direct: ms(percentile(directTimes, p)),
    hangar: ms(percentile(hangarTimes, p)),
    added: ms(percentile(hangarTimes, p) - percentile(directTimes, p)),
  });
  return { observe: OBSERVE, calls: directTimes.length, p50: row(50), p90: row(90), p99: row(99) };
}

/** The recorder `--observe` asks for. */
function observer(): GatewayRecorder {
  if (OBSERVE === "none") return noopRecorder;
  const metrics = createMetrics().recorder;
  if (OBSERVE === "metrics") return metrics;
  const discard = {
    export: (_spans: unknown[], done: (result: { code: 0 }) => void) => done({ code: 0 }),
    shutdown: () => Promise.resolve(),
  };
  return combineRecorders(metrics, createTracing({ exporter: discard })!.recorder);
}

const results = {
  fan_out: ONLY.has("fanout") ? await fanOut() : undefined,
  cold_start: ONLY.has("cold") ? await coldStart() : undefined,
  overhead_ms: ONLY.has("overhead") ? await overhead() : undefined,
};
if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const f = results.fan_out;
  const c = results.cold_start;
  const o = results.overhead_ms;
  console.log(`hangar core benchmark — bun ${Bun.version}, ${process.platform}-${process.arch}\n`);
  if (f) {
    console.log(`fan-out: ${f.calls} × sleep ${f.latency_ms} ms over ${f.providers} providers`);
    console.log(`  sequential (direct clients)  ${f.sequential_ms.toFixed(1)} ms`);
    console.log(
      `  parallel (direct clients)    ${f.direct_parallel_ms.toFixed(1)} ms   (the floor: no hangar in between; median of ${f.rounds} rounds)`,
    );
    console.log(
      `  hangar batch                 ${f.hangar_ms.toFixed(1)} ms   speedup ${f.speedup.toFixed(1)}×   (median of ${f.rounds}, interleaved with the floor)`,
    );
    console.log(
      `  above the floor              ${f.above_floor_ms.toFixed(1)} ms   (median of the rounds' differences; target ≤ 3 ms)`,
    );
    console.log(
      `  CPU (main thread)            ${f.hangar_cpu_ms.toFixed(2)} ms per hangar batch, ${f.floor_cpu_ms.toFixed(2)} ms per floor round (medians)`,
    );
    if (f.floor_2026)
      console.log(
        `  floor, 2026-07-28 clients    ${f.floor_2026.ms.toFixed(1)} ms   hangar above it ${f.floor_2026.hangar_above_ms.toFixed(1)} ms   (same rounds)`,
      );
    if (f.before)
      console.log(
        `  --before batch               ${f.before.ms.toFixed(1)} ms   above the floor ${f.before.above_floor_ms.toFixed(1)} ms   CPU ${f.before.cpu_ms.toFixed(2)} ms   (same rounds, order alternating)`,
      );
  }
  if (c) {
    console.log(`cold start: ${c.concurrent_calls} concurrent calls to a stopped provider`);
    console.log(
      `  processes started            ${c.starts}   (target 1)   ${c.succeeded}/${c.concurrent_calls} ok in ${c.wall_ms.toFixed(1)} ms`,
    );
  }
  if (o) {
    console.log(`added latency per call (${o.calls} calls each, ms; --observe ${OBSERVE}):`);
    console.log(`          direct    hangar    added`);
    for (const [name, row] of [
      ["p50", o.p50],
      ["p90", o.p90],
      ["p99", o.p99],
    ] as const) {
      console.log(
        `  ${name}   ${row.direct.toFixed(3).padStart(7)}   ${row.hangar.toFixed(3).padStart(7)}   ${row.added.toFixed(3).padStart(6)}`,
      );
    }
    console.log(`  (targets: added p50 ≤ 0.3 ms, p99 ≤ 2 ms)`);
  }
}
