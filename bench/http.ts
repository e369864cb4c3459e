// HTTP benchmark: one tool call at a time, and 200 at once, through `hangar serve --http` beside its peers
// and the floor, each driven by the MCP SDK's HTTP client running under Node and under Bun.
//
//   bun run bench/http.ts [--rounds 15] [--calls 500] [--warmup 200] [--fanout 200] [--runtimes node,bun]
//                         [--systems direct,hangar,hangar-2026,mcp-hub,supergateway,forwarder,forwarder-2026]
//                         [--hangar dist/hangar]
//                         [--before <another hangar binary>] [--json]
//
// The MCP server is the demo provider (its `echo` for latency, its `sleep {"ms":100}` for the fan-out) in
// every system:
//   direct         the demo server itself over Streamable HTTP (tests/fixtures/http-server.ts: the SDK's
//                  Streamable HTTP transport, one session): the floor, no hop
//   hangar         hangar serve --http → demo provider (stdio); a 2025 session (v1 SDK client)
//   hangar-2026    the same Hangar in MCP 2026-07-28, sessionless (v2 SDK client pinned to it)
//   hangar-token   (only when named) another Hangar started with --token; its 2025 session sends the
//                  token on every request: what the bearer-token check costs
//   mcp-hub        mcp-hub 4.2.1 → demo provider (stdio); its /mcp endpoint (the SDK's SSE transport:
//                  mcp-hub serves no Streamable HTTP)
//   supergateway   supergateway 4.0.0 --stateful → demo provider (stdio); Streamable HTTP, one session
//   forwarder      bench/http-forwarder.ts → demo provider (stdio): an envelope-only HTTP front (JSON.parse,
//                  ids remapped, no SDK, no checks), a 2025 session: the floor of any front with a stdio hop
//   forwarder-2026 the same forwarder reaching its provider in MCP 2026-07-28 as hangar does (it answers the
//                  client's `initialize` itself and sends each request with the 2026 envelope); the client
//                  is the same 2025 session
// Each client runtime is its own process (bench/http-client.mjs under `node` and under `bun`), connected
// once to every system. A round runs `--calls` sequential echoes and one fan-out on every system from
// every runtime, in a rotating order so drift hits every system alike; after a warm-up round (`--warmup`
// echoes from each runtime, and a fan-out), the figures are the median over `--rounds` rounds of each
// round's p50 / p99 / fan-out wall time. One round's p50 moves with the host by up to ±0.06 ms here (2
// cores running client, front and provider at once): over runs, a median of 5 rounds spread hangar's
// margin over the floor across 0.08 ms (Bun client) and 0.14 (Node), a median of 15 (the default, ~2 min
// here) across 0.05 and 0.07 (bench/README.md, stop 19). The default warm-up starts the providers but
// leaves every front's JIT compiler at work through the first rounds (a front with more code compiles
// longer: Bun's DFG tier compiles hangar's ~230 functions of a call over its first ~3,000 calls, its FTL
// tier most of them again up to ~11,000); `--warmup 15000` measures the fronts with that done. `--before` adds
// `before` and `before-2026`: the same two Hangar paths served by another binary, in the same run.
// Beside the client's times, each system's server process reports its CPU time per call over the latency
// runs (Linux: /proc/<pid>/task/*/schedstat, every thread; the process alone), which a busy machine
// disturbs far less than wall-clock, and so do the processes it started (its provider: "provider CPU";
// none for `direct`, whose server is the provider): what a front asks of its provider costs there.
// Under each runtime's table: issue 18's targets checked on the medians (hangar's p50 within 0.1 ms of
// the floor and the lowest of mcp-hub's and supergateway's, its p99 within the best peer's + 10 %), the
// margin paired by round (the median of each round's hangar − direct), and the margin's parts: the
// stdio hop (forwarder − direct), the 2026-07-28 envelope at the provider (forwarder-2026 − forwarder),
// hangar's own (hangar − forwarder-2026). `--json` gives them as each runtime's `targets`, and each
// system's p50 round by round (`p50_rounds_ms`).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    calls: { type: "string", default: "500" },
    warmup: { type: "string", default: "200" },
    fanout: { type: "string", default: "200" },
    runtimes: { type: "string", default: "node,bun" },
    systems: { type: "string", default: "direct,hangar,hangar-2026,mcp-hub,supergateway,forwarder,forwarder-2026" },
    hangar: { type: "string", default: "dist/hangar" },
    before: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  // The usage is this file's opening comment.
  const text = readFileSync(new URL(import.meta.url), "utf8");
  process.stdout.write(`${text.slice(0, text.indexOf("\nimport ")).replaceAll(/^\/\/ ?/gm, "")}\n`);
  process.exit(0);
}
const ROUNDS = Number(values.rounds);
const CALLS = Number(values.calls);
const WARMUP = Number(values.warmup);
const FANOUT = Number(values.fanout);
const root = resolve(import.meta.dir, "..");
const HANGAR = resolve(root, values.hangar);
const NODE = Bun.which("node") ?? "node";
const home = mkdtempSync(join(tmpdir(), "hangar-bench-http-"));
const children: Bun.Subprocess[] = [];
// A run that fails part way (a system that does not start, a client that errs) still stops every system
// it started: each is told to stop as the normal end tells it (SIGTERM), and stops its own providers.
process.on("exit", () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
});

type Kind = "session" | "modern" | "sse";
interface System {
  readonly name: string;
  readonly url: string;
  readonly kind: Kind;
  readonly echo: string;
  readonly sleep: string;
  /** Sent as a bearer token on every request (default: none). */
  readonly token?: string;
  /** The server's process, whose CPU time is read around each latency run. */
  readonly pid: number | undefined;
}

/** CPU time of every thread of `pid` so far, in µs (undefined off Linux or once it is gone). */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`))
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    return ns / 1000;
  } catch {
    return undefined;
  }
}

/** The processes `pid` started, and theirs (Linux: /proc/<pid>/task/<tid>/children). */
function descendants(pid: number): number[] {
  const found: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`))
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" "))
        if (child.trim() !== "") found.push(Number(child), ...descendants(Number(child)));
  } catch {
    // Gone meanwhile, or not Linux.
  }
  return found;
}

/** CPU time of every process `pid` started (its provider), in µs; undefined when it started none. */
function childrenCpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const pids = descendants(pid);
  if (pids.length === 0) return undefined;
  let total = 0;
  for (const child of pids) total += cpuMicros(child) ?? 0;
  return total;
}

/** A loopback port with nothing on it now. */
function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Starts a process and waits until `ready` matches its stderr or stdout; gives the first group and the pid. */
async function start(
  argv: string[],
  ready: RegExp,
  env: Record<string, string> = {},
  cwd = home,
): Promise<{ match: string; pid: number }> {
  const proc = Bun.spawn(argv, {
    cwd,
    env: { ...process.env, HOME: cwd, XDG_STATE_HOME: cwd, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(proc);
  let seen = "";
  const { promise, resolve: found, reject } = Promise.withResolvers<string>();
  const timer = setTimeout(() => reject(new Error(`${argv.join(" ")} did not start: ${seen}`)), 60_000);
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      for await (const chunk of stream) {
        if (seen.length < 100_000) seen += new TextDecoder().decode(chunk);
        const match = ready.exec(seen);
        if (match) found(match[1] ?? "");
      }
    })();
  }
  return { match: await promise.finally(() => clearTimeout(timer)), pid: proc.pid };
}

/** Waits until `ok` holds, polling. */
async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  const end = performance.now() + 60_000;
  while (performance.now() < end) {
    if (await ok().catch(() => false)) return;
    await Bun.sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One client process (bench/http-client.mjs) under `runtime`, driven a JSON line at a time. */
class ClientProcess {
  private readonly proc;
  private readonly lines: AsyncIterator<string>;

  constructor(readonly runtime: string) {
    const binary = runtime === "node" ? NODE : process.execPath;
    this.proc = Bun.spawn([binary, join(root, "bench/http-client.mjs")], {
      cwd: root,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
    });
    children.push(this.proc);
    this.lines = readLines(this.proc.stdout);
  }

  async send<T>(command: object): Promise<T> {
    this.proc.stdin.write(`${JSON.stringify(command)}\n`);
    await this.proc.stdin.flush();
    const next = await this.lines.next();
    if (next.done) throw new Error(`the ${this.runtime} client exited`);
    const answer = JSON.parse(next.value) as T & { error?: string };
    if (answer.error !== undefined) throw new Error(`${this.runtime} client: ${answer.error}`);
    return answer;
  }
}

async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf("\n");
    while (end >= 0) {
      yield buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      end = buffer.indexOf("\n");
    }
  }
}

const wanted = new Set(values.systems.split(","));
const demoCommand = [HANGAR, "demo-provider", "--name", "demo"];
const systems: System[] = [];

if (wanted.has("direct")) {
  const server = await start([process.execPath, join(root, "tests/fixtures/http-server.ts")], /^(\{"port":\d+\})/m);
  const port = JSON.parse(server.match) as { port: number };
  systems.push({
    pid: server.pid,
    name: "direct",
    url: `http://127.0.0.1:${port.port}/mcp`,
    kind: "session",
    echo: "echo",
    sleep: "sleep",
  });
}
/**
 * Starts `binary` serve --http in its own home and adds its 2025 and 2026 paths as `<prefix>` and
 * `<prefix>-2026`; with `token`, only its 2025 path, as `<prefix>-token`.
 */
async function startHangar(binary: string, prefix: string, token?: string): Promise<void> {
  const dir = mkdtempSync(join(home, `${prefix}-`));
  const command = [binary, "demo-provider", "--name", "demo"];
  writeFileSync(
    join(dir, "hangar.yaml"),
    `max_concurrency: 1024\nproviders:\n  - { id: demo, command: ${JSON.stringify(command)}, max_concurrency: 512 }\n`,
  );
  const { match: url, pid } = await start(
    [binary, "serve", "--http", "--port", "0", ...(token === undefined ? [] : ["--token", token])],
    /Hangar serving MCP on (\S+)/,
    {},
    dir,
  );
  if (token !== undefined) {
    systems.push({
      name: `${prefix}-token`,
      url,
      kind: "session",
      echo: "demo__echo",
      sleep: "demo__sleep",
      pid,
      token,
    });
    return;
  }
  if (wanted.has("hangar"))
    systems.push({ name: prefix, url, kind: "session", echo: "demo__echo", sleep: "demo__sleep", pid });
  if (wanted.has("hangar-2026"))
    systems.push({ name: `${prefix}-2026`, url, kind: "modern", echo: "demo__echo", sleep: "demo__sleep", pid });
}
if (wanted.has("hangar") || wanted.has("hangar-2026")) {
  await startHangar(HANGAR, "hangar");
  if (values.before !== undefined) await startHangar(resolve(values.before), "before");
}
if (wanted.has("hangar-token")) {
  await startHangar(HANGAR, "hangar", "bench-http-token");
  if (values.before !== undefined) await startHangar(resolve(values.before), "before", "bench-http-token");
}
if (wanted.has("mcp-hub")) {
  writeFileSync(
    join(home, "hub.json"),
    JSON.stringify({ mcpServers: { demo: { command: HANGAR, args: demoCommand.slice(1) } } }),
  );
  const port = freePort();
  const proc = Bun.spawn(
    [NODE, join(root, "node_modules/mcp-hub/dist/cli.js"), "--port", String(port), "--config", join(home, "hub.json")],
    { cwd: home, env: { ...process.env, HOME: home, XDG_STATE_HOME: home }, stdout: "ignore", stderr: "ignore" },
  );
  children.push(proc);
  await until(async () => {
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as {
      servers?: { status: string }[];
    };
    return health.servers?.length === 1 && health.servers.every((s) => s.status === "connected");
  }, "mcp-hub to connect the demo provider");
  systems.push({
    pid: proc.pid,
    name: "mcp-hub",
    url: `http://127.0.0.1:${port}/mcp`,
    kind: "sse",
    echo: "demo__echo",
    sleep: "demo__sleep",
  });
}
if (wanted.has("supergateway")) {
  const port = freePort();
  const { pid } = await start(
    [
      NODE,
      join(root, "node_modules/supergateway/dist/index.js"),
      "--stdio",
      demoCommand.join(" "),
      "--outputTransport",
      "streamableHttp",
      "--stateful",
      "--port",
      String(port),
      "--logLevel",
      "info",
    ],
    /(Listening on port \d+)/i,
  );
  systems.push({
    pid,
    name: "supergateway",
    url: `http://127.0.0.1:${port}/mcp`,
    kind: "session",
    echo: "echo",
    sleep: "sleep",
  });
}
for (const era of ["2025", "2026"]) {
  const name = era === "2025" ? "forwarder" : "forwarder-2026";
  if (!wanted.has(name)) continue;
  const { match: url, pid } = await start(
    [process.execPath, join(root, "bench/http-forwarder.ts"), "--binary", HANGAR, "--port", "0", "--era", era],
    /forwarder serving MCP on (\S+)/,
  );
  systems.push({ pid, name, url, kind: "session", echo: "echo", sleep: "sleep" });
}

const runtimes = values.runtimes.split(",").map((runtime) => new ClientProcess(runtime));
for (const client of runtimes)
  for (const system of systems) {
    await client.send({ op: "connect", name: system.name, kind: system.kind, url: system.url, token: system.token });
  }

interface Round {
  p50: number;
  p99: number;
  fanout: number;
  /** The server's CPU time per call over the latency run, µs. */
  cpu: number | undefined;
  /** The CPU time per call of the processes the server started (its provider), µs. */
  providerCpu: number | undefined;
}
const results = new Map<string, Round[]>();
const key = (runtime: string, system: string) => `${runtime} ${system}`;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

for (let round = 0; round <= ROUNDS; round++) {
  const order = systems.map((_, i) => systems[(i + round) % systems.length]!);
  for (const system of order) {
    for (const client of round % 2 === 0 ? runtimes : [...runtimes].reverse()) {
      const cpuBefore = cpuMicros(system.pid);
      const providerBefore = childrenCpuMicros(system.pid);
      const { times } = await client.send<{ times: number[] }>({
        op: "latency",
        name: system.name,
        tool: system.echo,
        n: round === 0 ? WARMUP : CALLS,
      });
      const cpuAfter = cpuMicros(system.pid);
      const providerAfter = childrenCpuMicros(system.pid);
      const perCall = (before: number | undefined, after: number | undefined) =>
        before === undefined || after === undefined ? undefined : (after - before) / times.length;
      const cpu = perCall(cpuBefore, cpuAfter);
      const providerCpu = perCall(providerBefore, providerAfter);
      const { wall } = await client.send<{ wall: number }>({
        op: "fanout",
        name: system.name,
        tool: system.sleep,
        n: FANOUT,
        ms: 100,
      });
      if (round === 0) continue; // warm-up: providers started
      times.sort((a, b) => a - b);
      const list = results.get(key(client.runtime, system.name)) ?? [];
      list.push({ p50: percentile(times, 50), p99: percentile(times, 99), fanout: wall, cpu, providerCpu });
      results.set(key(client.runtime, system.name), list);
    }
  }
  if (!values.json) process.stderr.write(`round ${round}/${ROUNDS} done\n`);
}

for (const client of runtimes) await client.send({ op: "close" }).catch(() => {});
for (const child of children) child.kill("SIGTERM");
await Promise.all(children.map((child) => child.exited));
rmSync(home, { recursive: true, force: true });

const median = (list: number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** The peers issue 18 measures hangar against (the floor and hangar's own scaffolding are not peers). */
const PEERS = ["mcp-hub", "supergateway"];

/**
 * Issue 18's targets for one client runtime, from the medians as the table shows them: hangar's p50 within
 * 0.1 ms of the direct floor and the lowest of the peers', its p99 within the best peer's + 10 %; beside
 * them, the margin paired by round (the median of each round's hangar − direct, which the host's drift
 * within a run moves less) and where the margin goes: the stdio hop (forwarder − direct), the 2026-07-28
 * envelope at the provider (forwarder-2026 − forwarder) and hangar's own (hangar − forwarder-2026).
 * Null when the run lacks hangar or the floor.
 */
function targetsOf(runtime: string, table: readonly { name: string; p50_ms: number; p99_ms: number }[]) {
  const of = (name: string) => table.find((s) => s.name === name);
  const hangar = of("hangar");
  const direct = of("direct");
  if (hangar === undefined || direct === undefined) return null;
  const peers = table.filter((s) => PEERS.includes(s.name));
  const roundsOf = (name: string) => (results.get(key(runtime, name)) ?? []).map((r) => r.p50);
  const hangarRounds = roundsOf("hangar");
  const directRounds = roundsOf("direct");
  const rounds = Math.min(hangarRounds.length, directRounds.length);
  const paired = hangarRounds.slice(0, rounds).map((p50, i) => p50 - directRounds[i]!);
  const margin = (a: string, b: string) => {
    const [x, y] = [of(a), of(b)];
    return x === undefined || y === undefined ? null : round3(x.p50_ms - y.p50_ms);
  };
  const bestPeerP50 = peers.length === 0 ? null : Math.min(...peers.map((s) => s.p50_ms));
  const p99Limit = peers.length === 0 ? null : round3(Math.min(...peers.map((s) => s.p99_ms)) * 1.1);
  // Judged on the figures as printed (rounded to the µs), so that a verdict never contradicts its numbers.
  const marginMs = round3(hangar.p50_ms - direct.p50_ms);
  return {
    margin_ms: marginMs,
    margin_met: marginMs <= 0.1,
    margin_paired_ms: paired.length === 0 ? null : round3(median(paired)),
    lowest_of_peers: bestPeerP50 === null ? null : hangar.p50_ms < bestPeerP50,
    p99_limit_ms: p99Limit,
    p99_met: p99Limit === null ? null : hangar.p99_ms <= p99Limit,
    stdio_hop_ms: margin("forwarder", "direct"),
    envelope_2026_ms: margin("forwarder-2026", "forwarder"),
    hangar_own_ms: margin("hangar", "forwarder-2026"),
  };
}

const report = {
  rounds: ROUNDS,
  calls: CALLS,
  warmup: WARMUP,
  fanout: FANOUT,
  bun: Bun.version,
  node: (await Bun.$`${NODE} --version`.text()).trim(),
  runtimes: runtimes.map((client) => ({
    runtime: client.runtime,
    systems: systems.map((system) => {
      const rounds = results.get(key(client.runtime, system.name)) ?? [];
      const p50s = rounds.map((r) => r.p50);
      const cpus = rounds.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
      const providerCpus = rounds.flatMap((r) => (r.providerCpu === undefined ? [] : [r.providerCpu]));
      return {
        name: system.name,
        p50_ms: round3(median(p50s)),
        p50_range_ms: [round3(Math.min(...p50s)), round3(Math.max(...p50s))],
        // Each round's p50 in the order they ran (the same order for every system and runtime).
        p50_rounds_ms: p50s.map(round3),
        p99_ms: round3(median(rounds.map((r) => r.p99))),
        fanout_ms: Math.round(median(rounds.map((r) => r.fanout))),
        server_cpu_us_per_call: cpus.length === 0 ? null : Math.round(median(cpus)),
        provider_cpu_us_per_call: providerCpus.length === 0 ? null : Math.round(median(providerCpus)),
      };
    }),
  })),
};
const targets = report.runtimes.map((runtime) => targetsOf(runtime.runtime, runtime.systems));

if (values.json) {
  const runtimesWithTargets = report.runtimes.map((runtime, i) => ({ ...runtime, targets: targets[i] }));
  console.log(JSON.stringify({ ...report, runtimes: runtimesWithTargets }, null, 2));
} else {
  console.log(
    `hangar HTTP benchmark — bun ${report.bun}, node ${report.node}, ${process.platform}-${process.arch}; ` +
      `medians of ${ROUNDS} rounds of ${CALLS} echoes and ${FANOUT} × sleep 100 ms at once, after ${WARMUP} echoes from each client`,
  );
  for (const runtime of report.runtimes) {
    console.log(`\n${runtime.runtime} client:`);
    console.log(
      `  ${"system".padEnd(14)} ${"p50 ms".padStart(8)} ${"(range)".padStart(15)} ${"p99 ms".padStart(8)} ${"fan-out ms".padStart(11)} ${"CPU µs/call".padStart(12)} ${"provider CPU".padStart(13)}`,
    );
    for (const s of runtime.systems) {
      const range = `${s.p50_range_ms[0]!.toFixed(3)}–${s.p50_range_ms[1]!.toFixed(3)}`;
      console.log(
        `  ${s.name.padEnd(14)} ${s.p50_ms.toFixed(3).padStart(8)} ${range.padStart(15)} ${s.p99_ms.toFixed(3).padStart(8)} ${String(s.fanout_ms).padStart(11)} ${String(s.server_cpu_us_per_call ?? "–").padStart(12)} ${String(s.provider_cpu_us_per_call ?? "–").padStart(13)}`,
      );
    }
    const target = targets[report.runtimes.indexOf(runtime)];
    if (target) for (const line of targetLines(target)) console.log(`  ${line}`);
  }
}

/** The targets of one runtime as the text report says them. */
function targetLines(target: NonNullable<ReturnType<typeof targetsOf>>): string[] {
  const ms = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(3)}`;
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const lines = [
    `hangar's p50 over the floor ${ms(target.margin_ms)} ms (≤ +0.1: ${met(target.margin_met)}; paired by round ${target.margin_paired_ms === null ? "–" : ms(target.margin_paired_ms)})`,
  ];
  if (target.lowest_of_peers !== null && target.p99_limit_ms !== null && target.p99_met !== null)
    lines.push(
      `lowest p50 of the peers: ${met(target.lowest_of_peers)}; p99 within the best peer's + 10 % (${target.p99_limit_ms.toFixed(3)} ms): ${met(target.p99_met)}`,
    );
  if (target.stdio_hop_ms !== null && target.envelope_2026_ms !== null && target.hangar_own_ms !== null)
    lines.push(
      `the margin's parts: the stdio hop ${ms(target.stdio_hop_ms)}, the 2026-07-28 envelope at the provider ${ms(target.envelope_2026_ms)}, hangar's own ${ms(target.hangar_own_ms)} ms`,
    );
  return lines;
}
