// `hangar serve --shared` (stdio bridge + shared daemon) beside plain `hangar serve`: pass-through
// latency and CPU per call, the bridge's start to its first `tools/list` answer with the daemon running,
// and memory and processes of 5 clients × 10 providers, shared vs not (RSS summed over the process trees).
//
//   bun run bench/shared.ts [--calls 300] [--rounds 7] [--starts 30] [--clients 5] [--providers 10]
//                           [--before <other hangar>] [--latency-only] [--json]
//
// Latency runs in rounds, the systems alternating (plain, shared, [before,] plain, shared, … with the
// order rotated each round); each figure is the median over the rounds of that round's p50/p99, and
// "added" is the median of the per-round differences shared − plain, so a load change between rounds
// moves both sides. CPU per call is each process's on-CPU time (/proc/<pid>/task/*/schedstat, ns)
// over the rounds' calls.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { percentile } from "../src/bench/stats.ts";
import { hangarArgv, ms, writeDemoConfig } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "300" },
    rounds: { type: "string", default: "7" },
    before: { type: "string" },
    "latency-only": { type: "boolean", default: false },
    starts: { type: "string", default: "30" },
    clients: { type: "string", default: "5" },
    providers: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const STARTS = Number(values.starts);
const CLIENTS = Number(values.clients);
const PROVIDERS = Number(values.providers);
const hangar = hangarArgv();
const before = values.before === undefined ? undefined : [values.before];
const home = mkdtempSync(join(tmpdir(), "hangar-bench-shared-"));
const xdg = join(home, "xdg");
mkdirSync(xdg, { mode: 0o700 });
const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: xdg, HANGAR_CACHE_DIR: join(home, "cache") } as Record<
  string,
  string
>;

/** A config of `count` demo providers that never idle out. */
const writeConfig = (count: number) => writeDemoConfig(home, hangar, count);

async function connect(args: string[], binary: readonly string[] = hangar): Promise<{ client: Client; pid: number }> {
  const client = new Client({ name: "bench", version: "1" });
  const transport = new StdioClientTransport({
    command: binary[0]!,
    args: [...binary.slice(1), ...args],
    env,
    cwd: home,
    stderr: "ignore",
  });
  await client.connect(transport);
  return { client, pid: transport.pid! };
}

function quantiles(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: ms(percentile(sorted, 50)), p95: ms(percentile(sorted, 95)) };
}

/** Nanoseconds `pid` has spent on a CPU, all its threads (0 once it is gone). */
function cpuNs(pid: number): number {
  let total = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      total += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
  } catch {}
  return total;
}

/** A system under test: its client, and the processes whose CPU per call is reported (name → pid). */
interface System {
  readonly name: string;
  readonly client: Client;
  readonly pids: Readonly<Record<string, number>>;
}

const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/**
 * One `p0__echo` at a time, the systems alternating in `ROUNDS` rounds of `CALLS` calls each (the order
 * rotated every round), after 200 warm-up calls each. Per system: the median over rounds of each round's
 * p50 and p99, and CPU µs per call of each of its processes; `added`: the median of the per-round
 * differences against the first system.
 */
async function latency(systems: readonly System[]) {
  const time = async (client: Client) => {
    const start = performance.now();
    await client.callTool({ name: "p0__echo", arguments: { message: "x" } });
    return performance.now() - start;
  };
  for (let i = 0; i < 200; i++) for (const { client } of systems) await time(client);
  const rounds = new Map(systems.map(({ name }) => [name, [] as { p50: number; p99: number }[]]));
  const cpu = new Map(
    systems.map(({ name, pids }) => [name, Object.fromEntries(Object.keys(pids).map((k) => [k, 0]))]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < systems.length; k++) {
      const system = systems[(round + k) % systems.length]!;
      const before = Object.entries(system.pids).map(([name, pid]) => [name, cpuNs(pid)] as const);
      const times: number[] = [];
      for (let i = 0; i < CALLS; i++) times.push(await time(system.client));
      const spent = cpu.get(system.name)!;
      for (const [name, ns] of before) spent[name]! += cpuNs(system.pids[name]!) - ns;
      const sorted = times.sort((a, b) => a - b);
      rounds.get(system.name)!.push({ p50: percentile(sorted, 50), p99: percentile(sorted, 99) });
    }
  }
  const base = rounds.get(systems[0]!.name)!;
  return Object.fromEntries(
    systems.map(({ name }) => {
      const own = rounds.get(name)!;
      const cpuUs = Object.fromEntries(
        Object.entries(cpu.get(name)!).map(([process, ns]) => [process, Math.round(ns / 1000 / (CALLS * ROUNDS))]),
      );
      return [
        name,
        {
          p50: ms(median(own.map((r) => r.p50))),
          p99: ms(median(own.map((r) => r.p99))),
          p50_range: [ms(Math.min(...own.map((r) => r.p50))), ms(Math.max(...own.map((r) => r.p50)))],
          added: {
            p50: ms(median(own.map((r, i) => r.p50 - base[i]!.p50))),
            p99: ms(median(own.map((r, i) => r.p99 - base[i]!.p99))),
          },
          cpu_us_per_call: cpuUs,
        },
      ];
    }),
  );
}

/** Spawn to the first `tools/list` answer, raw JSON-RPC written at once (as a client does). */
async function startToToolsList(args: string[]): Promise<number> {
  const start = performance.now();
  const child = spawn(hangar[0]!, [...hangar.slice(1), ...args], { env, cwd: home, stdio: ["pipe", "pipe", "ignore"] });
  const init = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } };
  child.stdin.write(
    `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: init })}\n` +
      `${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n` +
      `${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })}\n`,
  );
  const elapsed = await new Promise<number>((resolve) => {
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (/"id":2,"result"|"result".*"id":2\}/.test(text)) resolve(performance.now() - start);
    });
  });
  child.stdin.end();
  await new Promise((resolve) => child.on("exit", resolve));
  return elapsed;
}

/** Spawn to exit of `hangar --version`: the floor of any hangar start on this machine. */
async function versionStart(): Promise<number> {
  const start = performance.now();
  await Bun.spawn([...hangar, "--version"], { env, stdout: "ignore" }).exited;
  return performance.now() - start;
}

async function starts(args: string[]) {
  await startToToolsList(args);
  const times: number[] = [];
  for (let i = 0; i < STARTS; i++) times.push(await startToToolsList(args));
  return quantiles(times);
}

/** Every descendant of `pid`, from /proc. */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {}
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** `CLIENTS` clients, each calling every one of the `PROVIDERS` providers; RSS and processes summed over their trees. */
async function footprint(args: string[], daemonPid: () => Promise<number | undefined>) {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => connect(args)));
  for (const { client } of clients)
    await Promise.all(
      Array.from({ length: PROVIDERS }, (_, i) =>
        client.callTool({ name: `p${i}__echo`, arguments: { message: "x" } }),
      ),
    );
  const daemon = await daemonPid();
  const pids = new Set([...clients.flatMap(({ pid }) => tree(pid)), ...(daemon === undefined ? [] : tree(daemon))]);
  const rss = [...pids].reduce((sum, pid) => sum + rssKb(pid), 0);
  await Promise.all(clients.map(({ client }) => client.close()));
  return { processes: pids.size, rss_mb: Math.round(rss / 102.4) / 10 };
}

/** The pid of the daemon serving the bridge `bridgePid` (else of the first daemon listed). */
async function daemonPid(bridgePid?: number): Promise<number | undefined> {
  const proc = Bun.spawn([...hangar, "status", "--json"], { env, stdout: "pipe" });
  const list = JSON.parse(await new Response(proc.stdout).text()) as { pid: number; clients: { pid?: number }[] }[];
  if (bridgePid === undefined) return list[0]?.pid;
  return list.find((daemon) => daemon.clients.some((client) => client.pid === bridgePid))?.pid;
}

async function stopDaemons() {
  await Bun.spawn([...hangar, "stop"], { env, stdout: "ignore" }).exited;
  if (before) await Bun.spawn([...before, "stop"], { env, stdout: "ignore" }).exited;
}

type Latency = Awaited<ReturnType<typeof latency>>;

function printLatency(result: Latency) {
  console.log(
    `pass-through latency, one p0__echo at a time (${ROUNDS} rounds × ${CALLS} calls each, ms; medians over rounds):`,
  );
  console.log(`                     p50      p99   added p50  added p99   p50 range        CPU µs per call`);
  for (const [name, r] of Object.entries(result)) {
    const cpu = Object.entries(r.cpu_us_per_call)
      .map(([process, us]) => `${process} ${us}`)
      .join(", ");
    console.log(
      `  ${name.padEnd(15)} ${String(r.p50).padStart(7)}  ${String(r.p99).padStart(7)}  ${String(r.added.p50).padStart(9)}  ${String(r.added.p99).padStart(9)}   ${r.p50_range.join("–").padEnd(15)}  ${cpu}`,
    );
  }
}

try {
  const small = writeConfig(1);
  const plain = await connect(["--config", small, "serve"]);
  const shared = await connect(["--config", small, "serve", "--shared"]);
  const systems: System[] = [
    { name: "plain serve", client: plain.client, pids: { hangar: plain.pid } },
    {
      name: "bridge + daemon",
      client: shared.client,
      pids: { bridge: shared.pid, daemon: (await daemonPid(shared.pid))! },
    },
  ];
  let old: { client: Client; pid: number } | undefined;
  if (before) {
    old = await connect(["--config", small, "serve", "--shared"], before);
    systems.push({
      name: "before",
      client: old.client,
      pids: { bridge: old.pid, daemon: (await daemonPid(old.pid))! },
    });
  }
  const passThrough = await latency(systems);
  await plain.client.close();
  await old?.client.close();
  if (values["latency-only"]) {
    await shared.client.close();
    if (values.json) console.log(JSON.stringify({ bun: Bun.version, pass_through: passThrough }, null, 2));
    else printLatency(passThrough);
  } else await startsAndFootprint(small, shared.client, passThrough);
} finally {
  await stopDaemons();
  rmSync(home, { recursive: true, force: true });
}

/** The start and footprint parts, and the whole report. */
async function startsAndFootprint(small: string, shared: Client, passThrough: Latency) {
  const startShared = await starts(["--config", small, "serve", "--shared"]);
  const versionTimes: number[] = [];
  for (let i = 0; i < STARTS; i++) versionTimes.push(await versionStart());
  const startVersion = quantiles(versionTimes);
  await shared.close();
  await stopDaemons();
  const startPlain = await starts(["--config", small, "serve"]);

  const many = writeConfig(PROVIDERS);
  const notShared = await footprint(["--config", many, "serve"], async () => undefined);
  const sharedFootprint = await footprint(["--config", many, "serve", "--shared"], () => daemonPid());
  await stopDaemons();

  const report = {
    bun: Bun.version,
    platform: `${process.platform}-${process.arch}`,
    pass_through: passThrough,
    start_to_tools_list: {
      shared_with_daemon_running: startShared,
      plain_cached_catalog: startPlain,
      version_baseline: startVersion,
    },
    footprint: { clients: CLIENTS, providers: PROVIDERS, not_shared: notShared, shared: sharedFootprint },
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(`hangar serve --shared benchmark — bun ${Bun.version}, ${report.platform}`);
    printLatency(passThrough);
    console.log(`start to first tools/list answer (${STARTS} starts, ms):`);
    console.log(`  --shared, daemon running   p50 ${startShared.p50}  p95 ${startShared.p95}`);
    console.log(`  plain, catalog cached      p50 ${startPlain.p50}  p95 ${startPlain.p95}`);
    console.log(`  hangar --version (floor)   p50 ${startVersion.p50}  p95 ${startVersion.p95}`);
    console.log(`${CLIENTS} clients × ${PROVIDERS} providers, every provider called by every client:`);
    console.log(`  not shared: ${notShared.processes} processes, ${notShared.rss_mb} MB RSS`);
    console.log(`  shared:     ${sharedFootprint.processes} processes, ${sharedFootprint.rss_mb} MB RSS`);
  }
}
