// Hangar beside its peers, in one run on one machine: the same demo provider processes driven directly,
// through hangar (`hangar serve`), through mcp-hub and through supergateway, each by a real MCP client.
// Writes its tables into bench/README.md (between the compare markers) and a chart to bench/compare.svg.
//
//   bun run bench/compare.ts [--latency-ms 100] [--overhead-calls 1000] [--json] [--no-write]

import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type LatencyStats, latencyStats } from "../src/bench/index.ts";
import { descendants, isProvider, rssMiB, watchProviders } from "./compare/procs.ts";
import { renderMarkdown, renderSvg, writeResults } from "./compare/render.ts";
import { HANGAR, launch, type System, type SystemKind } from "./compare/systems.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    "latency-ms": { type: "string", default: "100" },
    "overhead-calls": { type: "string", default: "1000" },
    json: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
  },
});
const LATENCY = Number(values["latency-ms"]);
const OVERHEAD_CALLS = Number(values["overhead-calls"]);
const PROVIDERS = 5;
const BATCHES = [5, 15, 50, 100];
const COLD_CALLERS = 20;
const KINDS: SystemKind[] = ["direct", "hangar", "mcp-hub", "supergateway"];
if (!existsSync(HANGAR)) throw new Error(`${HANGAR} is missing; run \`bash scripts/build.sh\` first`);
const log = (line: string) => process.stderr.write(`${line}\n`);

const echo = { message: "x" };
const spreadCalls = (n: number) =>
  Array.from({ length: n }, (_, k) => ({ i: k % PROVIDERS, tool: "sleep", args: { ms: LATENCY } }));
const timed = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

/** Added latency: `echo` one at a time on every system, interleaved in rounds so drift hits all alike. */
async function overhead(systems: System[]): Promise<Record<string, LatencyStats>> {
  const samples = new Map<string, number[]>(systems.map((s) => [s.kind, []]));
  for (const s of systems) for (let i = 0; i < 100; i++) await s.call(0, "echo", echo);
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    for (const s of systems)
      for (let i = 0; i < OVERHEAD_CALLS / rounds; i++)
        samples.get(s.kind)!.push(await timed(() => s.call(0, "echo", echo)));
    log(`overhead: round ${round + 1}/${rounds}`);
  }
  return Object.fromEntries([...samples].map(([kind, list]) => [kind, latencyStats(list)]));
}

/** Batch wall time for each N: one after another, N concurrent requests, and one hangar_call. */
async function batches(systems: System[]): Promise<Record<string, Record<string, number | null>>> {
  const rows: Record<string, Record<string, number | null>> = {};
  const best = async (work: () => Promise<unknown>) =>
    Math.min(await timed(work), await timed(work), await timed(work));
  for (const s of systems) {
    const sequential: Record<string, number | null> = {};
    const concurrent: Record<string, number | null> = {};
    const batched: Record<string, number | null> = {};
    for (const n of BATCHES) {
      const calls = spreadCalls(n);
      sequential[n] =
        s.kind === "hangar"
          ? null
          : await timed(async () => {
              for (const c of calls) await s.call(c.i, c.tool, c.args);
            });
      concurrent[n] = await best(() => Promise.all(calls.map((c) => s.call(c.i, c.tool, c.args))));
      batched[n] = s.batch ? await best(() => s.batch!(calls)) : null;
      log(`batches: ${s.kind} N=${n}`);
    }
    rows[`${s.kind}, one call after another`] = sequential;
    rows[`${s.kind}, N requests at once`] = concurrent;
    if (s.batch) rows[`${s.kind}, one hangar_call batch`] = batched;
  }
  return rows;
}

/** A fresh system, then COLD_CALLERS concurrent `echo` calls on one connection: time and provider starts. */
async function coldStart(kind: SystemKind) {
  const system = await launch(kind, 1);
  const watcher = watchProviders(() => (kind === "direct" ? [process.pid] : system.roots()));
  const connected = performance.now();
  const results = await Promise.all(
    Array.from({ length: COLD_CALLERS }, () => system.call(0, "echo", echo).catch(() => false)),
  );
  const done = performance.now();
  watcher.stop();
  await system.close();
  return {
    connect_ms: connected - system.launched,
    calls_ms: done - connected,
    total_ms: done - system.launched,
    starts: watcher.seen.size,
    succeeded: results.filter(Boolean).length,
  };
}

/** Resident memory with 1 and with 10 providers running idle: the gateway's own, and per provider. */
async function memory(kind: SystemKind) {
  const measure = async (n: number) => {
    const system = await launch(kind, n);
    for (let i = 0; i < n; i++) await system.call(i, "echo", echo);
    await Bun.sleep(1500); // Idle: let start-up garbage settle.
    const gateway = system.gatewayPids().reduce((sum, pid) => sum + rssMiB(pid), 0);
    const roots = kind === "direct" ? [process.pid] : system.roots();
    const providers = roots
      .flatMap(descendants)
      .filter(isProvider)
      .reduce((sum, pid) => sum + rssMiB(pid), 0);
    await system.close();
    return { gateway, providers };
  };
  const one = await measure(1);
  const ten = await measure(10);
  return {
    gateway_1_mib: one.gateway,
    gateway_10_mib: ten.gateway,
    gateway_per_provider_mib: (ten.gateway - one.gateway) / 9,
    provider_process_mib: ten.providers / 10,
  };
}

log(`compare: ${KINDS.join(", ")} — ${PROVIDERS} providers, sleep ${LATENCY} ms`);
const systems: System[] = [];
for (const kind of KINDS) systems.push(await launch(kind, PROVIDERS));
const results = {
  machine: {
    cores: navigator.hardwareConcurrency,
    platform: `${process.platform}-${process.arch}`,
    bun: Bun.version,
    node: Bun.which("node") ? Bun.spawnSync(["node", "--version"]).stdout.toString().trim() : "—",
    date: new Date().toISOString().slice(0, 10),
  },
  settings: {
    providers: PROVIDERS,
    latency_ms: LATENCY,
    overhead_calls: OVERHEAD_CALLS,
    batches: BATCHES,
    cold_callers: COLD_CALLERS,
  },
  overhead: await overhead(systems),
  batches: await batches(systems),
  cold_start: {} as Record<string, Awaited<ReturnType<typeof coldStart>>>,
  memory: {} as Record<string, Awaited<ReturnType<typeof memory>>>,
};
await Promise.all(systems.map((s) => s.close()));
for (const kind of [...KINDS, "supergateway-stateless" as const]) {
  results.cold_start[kind] = await coldStart(kind);
  log(`cold start: ${kind}`);
}
for (const kind of KINDS) {
  results.memory[kind] = await memory(kind);
  log(`memory: ${kind}`);
}
if (values.json) console.log(JSON.stringify(results, null, 2));
else console.log(renderMarkdown(results));
if (!values["no-write"]) {
  await writeResults(
    join(import.meta.dir, "README.md"),
    renderMarkdown(results),
    join(import.meta.dir, "compare.svg"),
    renderSvg(results),
  );
  log("wrote bench/README.md and bench/compare.svg");
}
export type CompareResults = typeof results;
