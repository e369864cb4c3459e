// Soak: many calls with random faults through one gateway. Reports whether every call was answered,
// the outcome mix, latency percentiles, RSS at start and end, and processes left after shutdown.
//
//   bun run bench/soak.ts [--calls 100000] [--batch 100] [--seed 1] [--warmup 20000] [--json]

import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import type { ResolvedConfig, ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { descendants } from "./compare/procs.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "100000" },
    batch: { type: "string", default: "100" },
    seed: { type: "string", default: "1" },
    warmup: { type: "string", default: "20000" },
    json: { type: "boolean", default: false },
  },
});
const TOTAL = Number(values.calls);
const BATCH = Number(values.batch);

const root = resolve(import.meta.dir, "..");
const bun = process.execPath;
function provider(id: string, argv: string[], overrides: Partial<ResolvedProvider> = {}): ResolvedProvider {
  return {
    id,
    transport: { kind: "stdio", command: argv[0]!, args: argv.slice(1), env: {}, cwd: undefined },
    description: undefined,
    idleTtlMs: 0,
    healthCheckIntervalMs: 1_000,
    maxConsecutiveFailures: 3,
    circuitCooldownMs: 500,
    maxConcurrency: 32,
    maxQueue: 1000,
    startupTimeoutMs: 30_000,
    callTimeoutMs: 10_000,
    retries: 1,
    tools: { allow: [], deny: [] },
    expose: true,
    prefix: true,
    ...overrides,
  };
}
const hangar = [join(root, "dist/hangar")];
const config: ResolvedConfig = {
  source: { kind: "demo" },
  maxConcurrency: 64,
  pinning: "off",
  maxBatchSize: 500,
  providers: [
    provider("a", [...hangar, "demo-provider", "--name", "a"]),
    provider("b", [...hangar, "demo-provider", "--name", "b"]),
    provider("probe", [bun, join(root, "tests/fixtures/probe-server.ts")]),
    provider("faulty", [bun, join(root, "tests/fixtures/faulty-server.ts")]),
  ],
};

// A small deterministic PRNG (mulberry32), so runs with the same seed inject the same faults.
let state = Number(values.seed) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** One call: mostly healthy echoes, with tool errors, bad input, hangs, garbage and crashes mixed in. */
function randomCall(i: number) {
  const r = random();
  if (r < 0.0005) return { provider: "probe", tool: "crash" }; // the provider dies mid-call
  if (r < 0.002) return { provider: "faulty", tool: "hang", timeout_s: 0.05 }; // never answers
  if (r < 0.01) return { provider: "a", tool: "fail" }; // tool error
  if (r < 0.015) return { provider: "b", tool: "add", arguments: { a: "x", b: 1 } }; // invalid arguments
  if (r < 0.02) return { provider: "nobody", tool: "echo" }; // unknown provider
  if (r < 0.025) return { provider: "a", tool: "nope" }; // unknown tool
  if (r < 0.2) return { provider: "probe", tool: "echo", arguments: { text: String(i) } };
  return { provider: random() < 0.5 ? "a" : "b", tool: "echo", arguments: { message: String(i) } };
}

/** Full GCs with a pause between them, so RSS is read with garbage collected and freed pages returned. */
async function settleMemory(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    Bun.gc(true);
    await Bun.sleep(200);
  }
}

const mib = (bytes: number) => Number((bytes / 1024 / 1024).toFixed(1));
const gateway = new Gateway(config);
// Every provider started first: a hang's deadline (50 ms) is shorter than the faulty provider's start, so
// a hang sent to a provider still starting would test an abandoned start (its only caller gone) instead.
const notStarted = await gateway.startAll({ signal: new AbortController().signal });
if (notStarted.size > 0) throw new Error(`providers did not start: ${[...notStarted.keys()].join(", ")}`);
// Warm-up: WARMUP calls of the same random mix bring the allocator, the JIT and every error path to
// their working size before RSS is read, so the growth measured after is what the calls leave behind.
const WARMUP = Number(values.warmup);
for (let done = 0; done < WARMUP; done += BATCH) {
  await gateway.run({
    calls: Array.from({ length: Math.min(BATCH, WARMUP - done) }, (_, k) => randomCall(-1 - done - k)),
  });
}
const latencies = new Float64Array(TOTAL); // Allocated before the first reading, so it does not count.
await settleMemory();
const rssStart = process.memoryUsage().rss;
const heapStart = process.memoryUsage().heapUsed;
const outcomes = new Map<string, number>();
let answered = 0;
const started = performance.now();
for (let done = 0; done < TOTAL; done += BATCH) {
  const size = Math.min(BATCH, TOTAL - done);
  const batch = await gateway.run({ calls: Array.from({ length: size }, (_, k) => randomCall(done + k)) });
  for (const result of batch.results) {
    if (result !== undefined) answered++;
    latencies[answered - 1] = result.elapsed_ms;
    const key = result.ok ? "ok" : result.error!.type;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  }
}
const wall = performance.now() - started;
await settleMemory();
const rssEnd = process.memoryUsage().rss;
const heapEnd = process.memoryUsage().heapUsed;
const restarts = [...gateway.handles.values()].map((h) => ({
  id: h.config.id,
  starts: h.stats.starts,
  crashes: h.stats.crashes,
  circuit_opens: h.breaker.opens,
}));
await gateway.close();
const left = descendants(process.pid);
latencies.sort((x, y) => x - y);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;

const report = {
  calls: TOTAL,
  answered,
  every_call_answered: answered === TOTAL,
  outcomes: Object.fromEntries([...outcomes.entries()].sort((x, y) => y[1] - x[1])),
  calls_per_s: Math.round(TOTAL / (wall / 1000)),
  latency_ms: { p50: pct(50), p99: pct(99), max: latencies.at(-1)! },
  rss_mib: { start: mib(rssStart), end: mib(rssEnd), growth: mib(rssEnd - rssStart) },
  heap_used_mib: { start: mib(heapStart), end: mib(heapEnd), growth: mib(heapEnd - heapStart) },
  providers: restarts,
  processes_left: left.length,
};
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `soak: ${TOTAL} calls in batches of ${BATCH}, seed ${values.seed} — bun ${Bun.version}, ${process.platform}-${process.arch}`,
  );
  console.log(`  every call answered   ${report.every_call_answered} (${answered}/${TOTAL})   target: true`);
  console.log(
    `  outcomes              ${Object.entries(report.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  console.log(`  throughput            ${report.calls_per_s} calls/s`);
  console.log(
    `  latency (ms)          p50 ${report.latency_ms.p50}  p99 ${report.latency_ms.p99}  max ${report.latency_ms.max}`,
  );
  console.log(
    `  RSS (MiB)             start ${report.rss_mib.start}  end ${report.rss_mib.end}  growth ${report.rss_mib.growth}   target: < 20`,
  );
  console.log(
    `  JS heap used (MiB)    start ${report.heap_used_mib.start}  end ${report.heap_used_mib.end}  growth ${report.heap_used_mib.growth}`,
  );
  console.log(
    `  providers             ${restarts.map((r) => `${r.id}: ${r.starts} starts, ${r.crashes} crashes, ${r.circuit_opens} circuit opens`).join("; ")}`,
  );
  console.log(`  processes left        ${left.length}   target: 0`);
}
