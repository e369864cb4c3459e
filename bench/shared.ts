// `hangar serve --shared` (stdio bridge + shared daemon) beside plain `hangar serve`: pass-through
// latency, the bridge's start to its first `tools/list` answer with the daemon running, and memory and
// processes of 5 clients × 10 providers, shared vs not (RSS summed over the process trees).
//
//   bun run bench/shared.ts [--calls 2000] [--rounds 10] [--starts 30] [--clients 5] [--providers 10] [--json]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { percentile } from "../src/bench/stats.ts";
import { hangarArgv, ms, writeDemoConfig } from "./stats.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "2000" },
    rounds: { type: "string", default: "10" },
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
const home = mkdtempSync(join(tmpdir(), "hangar-bench-shared-"));
const xdg = join(home, "xdg");
mkdirSync(xdg, { mode: 0o700 });
const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: xdg, HANGAR_CACHE_DIR: join(home, "cache") } as Record<
  string,
  string
>;

/** A config of `count` demo providers that never idle out. */
const writeConfig = (count: number) => writeDemoConfig(home, hangar, count);

async function connect(args: string[]): Promise<{ client: Client; pid: number }> {
  const client = new Client({ name: "bench", version: "1" });
  const transport = new StdioClientTransport({
    command: hangar[0]!,
    args: [...hangar.slice(1), ...args],
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

/** One `p0__echo` at a time, plain and shared interleaved in rounds, after a warm-up. */
async function latency(plain: Client, shared: Client) {
  const time = async (client: Client) => {
    const start = performance.now();
    await client.callTool({ name: "p0__echo", arguments: { message: "x" } });
    return performance.now() - start;
  };
  for (let i = 0; i < 200; i++) await Promise.all([time(plain), time(shared)]);
  const plainTimes: number[] = [];
  const sharedTimes: number[] = [];
  const perRound = Math.ceil(CALLS / ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < perRound; i++) plainTimes.push(await time(plain));
    for (let i = 0; i < perRound; i++) sharedTimes.push(await time(shared));
  }
  const p = quantiles(plainTimes);
  const s = quantiles(sharedTimes);
  return { calls: perRound * ROUNDS, plain: p, shared: s, added: { p50: ms(s.p50 - p.p50), p95: ms(s.p95 - p.p95) } };
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

async function daemonPid(): Promise<number | undefined> {
  const proc = Bun.spawn([...hangar, "status", "--json"], { env, stdout: "pipe" });
  const list = JSON.parse(await new Response(proc.stdout).text()) as { pid: number }[];
  return list[0]?.pid;
}

async function stopDaemons() {
  await Bun.spawn([...hangar, "stop"], { env, stdout: "ignore" }).exited;
}

try {
  const small = writeConfig(1);
  const plain = await connect(["--config", small, "serve"]);
  const shared = await connect(["--config", small, "serve", "--shared"]);
  const passThrough = await latency(plain.client, shared.client);
  await plain.client.close();
  const startShared = await starts(["--config", small, "serve", "--shared"]);
  const versionTimes: number[] = [];
  for (let i = 0; i < STARTS; i++) versionTimes.push(await versionStart());
  const startVersion = quantiles(versionTimes);
  await shared.client.close();
  await stopDaemons();
  const startPlain = await starts(["--config", small, "serve"]);

  const many = writeConfig(PROVIDERS);
  const notShared = await footprint(["--config", many, "serve"], async () => undefined);
  const sharedFootprint = await footprint(["--config", many, "serve", "--shared"], daemonPid);
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
    const p = passThrough;
    console.log(`hangar serve --shared benchmark — bun ${Bun.version}, ${report.platform}`);
    console.log(`pass-through latency, one p0__echo at a time (${p.calls} calls each, ms):`);
    console.log(`                     p50      p95`);
    console.log(`  plain serve     ${String(p.plain.p50).padStart(7)}  ${String(p.plain.p95).padStart(7)}`);
    console.log(`  bridge + daemon ${String(p.shared.p50).padStart(7)}  ${String(p.shared.p95).padStart(7)}`);
    console.log(`  added           ${String(p.added.p50).padStart(7)}  ${String(p.added.p95).padStart(7)}`);
    console.log(`start to first tools/list answer (${STARTS} starts, ms):`);
    console.log(`  --shared, daemon running   p50 ${startShared.p50}  p95 ${startShared.p95}`);
    console.log(`  plain, catalog cached      p50 ${startPlain.p50}  p95 ${startPlain.p95}`);
    console.log(`  hangar --version (floor)   p50 ${startVersion.p50}  p95 ${startVersion.p95}`);
    console.log(`${CLIENTS} clients × ${PROVIDERS} providers, every provider called by every client:`);
    console.log(`  not shared: ${notShared.processes} processes, ${notShared.rss_mb} MB RSS`);
    console.log(`  shared:     ${sharedFootprint.processes} processes, ${sharedFootprint.rss_mb} MB RSS`);
  }
} finally {
  await stopDaemons();
  rmSync(home, { recursive: true, force: true });
}
