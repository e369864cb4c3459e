// `hangar serve` over stdio, measured against a direct client to the same server in the same run:
// added latency per pass-through call, throughput of many concurrent calls, and how fast a client gets
// `initialize` + `tools/list` answered with 50 configured cold providers.
//
//   bun run bench/serve.ts [--binary dist/hangar] [--client sdk1|sdk2] [--calls 2000] [--rounds 10] [--concurrency 64]
//     [--latency-warmup 200] [--floors] [--throughput-calls 5000] [--throughput-warmup 15000]
//     [--throughput-rounds 3] [--providers 50] [--json]
//
// `--floors` adds to the latency rounds and throughput windows the same client through an envelope-only
// forwarder (bench/hop-floor.ts `--forward`: one more process, JSON.parse and ids remapped, nothing else):
// the floor of any process in the path, measured beside hangar in the same rounds. With the 2025 client
// (sdk1) two of them, one passing the client's era on and one reaching the provider in 2026-07-28 as
// hangar does (with and without the provider's 2026 cost); with sdk2 the client's era is hangar's already.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client as ModernClient } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { childrenOf, hangarArgv, ms, type Summary, summary, writeDemoConfig } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "2000" },
    // Sequential calls on each side before the latency rounds: Bun's JIT is still compiling hangar's path
    // for the first ~15,000 (the default keeps every figure before stop 12 comparable).
    "latency-warmup": { type: "string", default: "200" },
    floors: { type: "boolean", default: false },
    rounds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "64" },
    "throughput-calls": { type: "string", default: "5000" },
    // Calls at the same concurrency before the timed windows, on each side: Bun's JIT compiles for the first
    // ~15,000 calls, in hangar and in the provider alike, and a short window right after start measured that.
    "throughput-warmup": { type: "string", default: "15000" },
    "throughput-rounds": { type: "string", default: "3" },
    providers: { type: "string", default: "50" },
    binary: { type: "string" },
    json: { type: "boolean", default: false },
    // sdk1: the v1 client, 2025-era (every figure before stop 11); sdk2: the v2 client, 2026-07-28 to the
    // provider directly and to hangar alike, so the provider's 2026 cost is on both sides.
    client: { type: "string", default: "sdk1" },
  },
});
if (values.client !== "sdk1" && values.client !== "sdk2") throw new Error("--client is sdk1 or sdk2");
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const THROUGHPUT_CALLS = Number(values["throughput-calls"]);
const THROUGHPUT_WARMUP = Number(values["throughput-warmup"]);
const THROUGHPUT_ROUNDS = Number(values["throughput-rounds"]);
const PROVIDERS = Number(values.providers);
const hangar = values.binary ? [resolve(values.binary)] : hangarArgv();
const home = mkdtempSync(join(tmpdir(), "hangar-bench-serve-"));
const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;

/** A YAML config of `count` demo providers that never idle out. */
const writeConfig = (count: number) => writeDemoConfig(home, hangar, count);

/** What the bench asks of either SDK's client. */
interface Client {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

async function connect(argv: string[]): Promise<{ client: Client; pid: number }> {
  const launch = { command: argv[0]!, args: argv.slice(1), env, stderr: "ignore" as const };
  if (values.client === "sdk2") {
    const client = new ModernClient({ name: "bench", version: "1" }, { versionNegotiation: { mode: "auto" } });
    const transport = new ModernStdioTransport(launch);
    await client.connect(transport);
    return { client, pid: transport.pid! };
  }
  const client = new LegacyClient({ name: "bench", version: "1" });
  const transport = new StdioClientTransport(launch);
  await client.connect(transport);
  return { client, pid: transport.pid! };
}

/** CPU time (user + system) of process `pid` so far, in ms; NaN where /proc is not there. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 100 Hz ticks
  } catch {
    return Number.NaN;
  }
}

/**
 * One call at a time, alternating direct, hangar and each of `floors` (calling `echo`) in rounds, after
 * a warm-up of each; every system's percentiles and its added p50 over direct.
 */
async function addedLatency(direct: Client, through: Client, floors: Record<string, Client> = {}) {
  const time = async (client: Client, name: string) => {
    const start = performance.now();
    await client.callTool({ name, arguments: { message: "x" } });
    return performance.now() - start;
  };
  const systems: [string, Client, string][] = [
    ["direct", direct, "echo"],
    ["hangar", through, "p0__echo"],
    ...Object.entries(floors).map(([name, client]): [string, Client, string] => [name, client, "echo"]),
  ];
  const warmup = Number(values["latency-warmup"]);
  for (let i = 0; i < warmup; i++) await Promise.all(systems.map(([, client, name]) => time(client, name)));
  const times = systems.map((): number[] => []);
  const perRound = Math.ceil(CALLS / ROUNDS);
  for (let round = 0; round < ROUNDS; round++)
    for (const [k, [, client, name]] of systems.entries())
      for (let i = 0; i < perRound; i++) times[k]!.push(await time(client, name));
  const [d, h, ...f] = times.map(summary) as [Summary, Summary, ...Summary[]];
  const added = (s: Summary) => ({ p50: ms(s.p50 - d.p50), p90: ms(s.p90 - d.p90), p99: ms(s.p99 - d.p99) });
  return {
    calls: perRound * ROUNDS,
    warmup,
    direct: d,
    hangar: h,
    added: added(h),
    floors: Object.fromEntries(Object.keys(floors).map((name, i) => [name, { ...f[i]!, added: added(f[i]!) }])),
  };
}

/**
 * `THROUGHPUT_CALLS` calls with `CONCURRENCY` in flight: calls per second, and the CPU time per call of
 * each process in `pids` (µs; less noisy than wall time on a shared machine).
 */
async function throughput(
  client: Client,
  name: string,
  pids: number[],
  calls = THROUGHPUT_CALLS,
): Promise<{ rate: number; cpu_us: number[] }> {
  let next = 0;
  const cpuBefore = pids.map(cpuMs);
  const start = performance.now();
  const worker = async () => {
    while (next++ < calls) await client.callTool({ name, arguments: { message: "x" } });
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const rate = Math.round(calls / ((performance.now() - start) / 1000));
  const cpu_us = pids.map((pid, i) => Math.round(((cpuMs(pid) - cpuBefore[i]!) * 1000) / calls));
  return { rate, cpu_us };
}

/** The run of `runs` whose rate is the median (its CPU figures with it). */
function medianRun(runs: { rate: number; cpu_us: number[] }[]): { rate: number; cpu_us: number[] } {
  return runs.toSorted((a, b) => a.rate - b.rate)[Math.floor(runs.length / 2)]!;
}

/**
 * `hangar serve` with `config`, spoken to in raw JSON-RPC (an SDK client adds its own schema work):
 * from spawn to `tools/list` answered, and from `initialize` sent to a started process (it answered a
 * ping) to `tools/list` answered. `listAll` then waits until every provider is listed (and cached).
 */
async function coldList(config: string, listAll: boolean) {
  const spawned = performance.now();
  const proc = Bun.spawn([...hangar, "--config", config, "serve"], {
    env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
  });
  const answers = new Map<number, { result?: { tools?: unknown[] } }>();
  const waiters = new Map<number, () => void>();
  void (async () => {
    let buffer = "";
    for await (const chunk of proc.stdout) {
      buffer += new TextDecoder().decode(chunk);
      for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
        const message = JSON.parse(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
        if (typeof message.id !== "number") continue;
        answers.set(message.id, message);
        waiters.get(message.id)?.();
      }
    }
  })();
  const send = (message: object) =>
    proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`) && proc.stdin.flush();
  const answer = (id: number) =>
    new Promise<void>((resolve) => (answers.has(id) ? resolve() : waiters.set(id, resolve)));
  send({ id: 0, method: "ping" });
  await answer(0);
  const ready = performance.now();
  send({
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  });
  send({ method: "notifications/initialized" });
  send({ id: 2, method: "tools/list" });
  await answer(2);
  const done = performance.now();
  if (listAll) {
    send({ id: 3, method: "tools/call", params: { name: "hangar_tools", arguments: {} } });
    await answer(3);
  }
  proc.stdin.end();
  await proc.exited;
  return {
    tools: answers.get(2)?.result?.tools?.length ?? 0,
    total_ms: ms(done - spawned),
    answer_ms: ms(done - ready),
  };
}

const one = writeConfig(1);
const direct = await connect([...hangar, "demo-provider", "--name", "direct"]);
const through = await connect([...hangar, "--config", one, "serve"]);
// The floors' forwarders reach their own demo providers with the binary under test (or the source tree's).
const forwarder = (era: string) => [
  process.execPath,
  join(import.meta.dir, "hop-floor.ts"),
  "--forward",
  "--era",
  era,
  ...(values.binary ? ["--binary", resolve(values.binary)] : []),
];
// A 2025 client: one forwarder passing its era on, one reaching the provider in 2026-07-28 as hangar does; a
// 2026 client's era is hangar's upstream one already, so one forwarder passing it on.
const floors: Record<string, { client: Client; pid: number }> = {};
if (values.floors && values.client === "sdk1") {
  floors["forwarder, 2025 upstream"] = await connect(forwarder("2025"));
  floors["forwarder, 2026 upstream"] = await connect(forwarder("2026"));
} else if (values.floors) floors.forwarder = await connect(forwarder("2025"));
const latency = await addedLatency(
  direct.client,
  through.client,
  Object.fromEntries(Object.entries(floors).map(([name, side]) => [name, side.client])),
);
/** The demo provider process `pid` started (-1 if none is found). */
const providerOf = (pid: number) =>
  childrenOf(pid).find((child) => readFileSync(`/proc/${child}/cmdline`, "utf8").includes("demo-provider")) ?? -1;
const provider = providerOf(through.pid);
// Both sides warmed at the same concurrency, then timed in alternating rounds; the median round of each.
if (THROUGHPUT_WARMUP > 0) {
  await throughput(direct.client, "echo", [], THROUGHPUT_WARMUP);
  await throughput(through.client, "p0__echo", [], THROUGHPUT_WARMUP);
}
for (const side of Object.values(floors))
  if (THROUGHPUT_WARMUP > 0) await throughput(side.client, "echo", [], THROUGHPUT_WARMUP);
const directRuns: { rate: number; cpu_us: number[] }[] = [];
const hangarRuns: { rate: number; cpu_us: number[] }[] = [];
const floorRuns = Object.keys(floors).map((): { rate: number; cpu_us: number[] }[] => []);
for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
  directRuns.push(await throughput(direct.client, "echo", [direct.pid]));
  hangarRuns.push(await throughput(through.client, "p0__echo", [through.pid, provider]));
  for (const [i, side] of Object.values(floors).entries())
    floorRuns[i]!.push(await throughput(side.client, "echo", [side.pid, providerOf(side.pid)]));
}
const directRun = medianRun(directRuns);
const hangarRun = medianRun(hangarRuns);
const rate = { direct: directRun.rate, hangar: hangarRun.rate };
const cpu = {
  direct_provider_us: directRun.cpu_us[0],
  hangar_us: hangarRun.cpu_us[0],
  provider_behind_hangar_us: hangarRun.cpu_us[1],
};
const floorRates = Object.fromEntries(
  Object.keys(floors).map((name, i) => {
    const run = medianRun(floorRuns[i]!);
    const ratio = Math.round((run.rate / directRun.rate) * 100) / 100;
    return [name, { rate: run.rate, ratio, cpu_us: run.cpu_us[0], provider_cpu_us: run.cpu_us[1] }];
  }),
);
await Promise.all([
  direct.client.close(),
  through.client.close(),
  ...Object.values(floors).map((s) => s.client.close()),
]);

const many = writeConfig(PROVIDERS);
const noCache = await coldList(many, true);
const fromCache = await coldList(many, false);
rmSync(home, { recursive: true, force: true });

const result = {
  client: values.client,
  latency,
  throughput: {
    ...rate,
    ratio: Math.round((rate.hangar / rate.direct) * 100) / 100,
    cpu_per_call: cpu,
    floors: floorRates,
  },
  cold_tools_list: { providers: PROVIDERS, no_cache: noCache, cached: fromCache },
};
if (values.json) console.log(JSON.stringify(result, null, 2));
else {
  const row = (label: string, p: "p50" | "p90" | "p99") =>
    `  ${label}   ${String(latency.direct[p]).padStart(7)}   ${String(latency.hangar[p]).padStart(7)}   ${String(latency.added[p]).padStart(7)}`;
  console.log(`hangar serve benchmark — bun ${Bun.version}, ${process.platform}-${process.arch}`);
  console.log(
    `added latency per call (${latency.calls} calls each after ${latency.warmup} warm-up calls, ms): direct ${values.client} client vs hangar serve pass-through`,
  );
  console.log("          direct    hangar     added");
  console.log([row("p50", "p50"), row("p90", "p90"), row("p99", "p99")].join("\n"));
  console.log("  (targets, issue 11: added p50 ≤ 0.1 ms, p99 ≤ 1 ms)");
  for (const [name, floor] of Object.entries(latency.floors))
    console.log(
      `  ${name}: p50 ${floor.p50}, added p50 ${floor.added.p50}, p99 ${floor.added.p99}   (hangar's added p50 ${latency.added.p50})`,
    );
  console.log(
    `throughput: ${THROUGHPUT_CALLS} calls, ${CONCURRENCY} in flight, after ${THROUGHPUT_WARMUP} warm-up calls each; median of ${THROUGHPUT_ROUNDS} alternating rounds`,
  );
  console.log(`  direct ${rate.direct} calls/s   hangar ${rate.hangar} calls/s   ratio ${result.throughput.ratio}`);
  console.log(
    `  CPU per call: hangar ${cpu.hangar_us} µs; a demo provider ${cpu.direct_provider_us} µs (direct), ${cpu.provider_behind_hangar_us} µs (behind hangar)`,
  );
  for (const [name, floor] of Object.entries(floorRates))
    console.log(
      `  ${name}: ${floor.rate} calls/s, ratio ${floor.ratio}; CPU per call ${floor.cpu_us} µs, its provider ${floor.provider_cpu_us} µs`,
    );
  console.log(`initialize + tools/list with ${PROVIDERS} configured cold providers`);
  console.log("             initialize + tools/list   spawn included   tools listed");
  const line = (label: string, r: typeof noCache) =>
    `  ${label}  ${String(r.answer_ms).padStart(16)} ms ${String(r.total_ms).padStart(13)} ms ${String(r.tools).padStart(14)}`;
  console.log(line("no cache ", noCache));
  console.log(`${line("cached   ", fromCache)}   (target ≤ 100 ms)`);
}
