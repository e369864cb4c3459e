// Hangar's library beside the in-process MCP clients agents use today, on the same 5 demo-provider
// servers: LangChain's MultiServerMCPClient (@langchain/mcp-adapters) and Mastra's MCPClient (@mastra/mcp),
// each at its defaults. Each system runs in its own Bun process, so memory figures do not mix.
//
//   bash scripts/build.sh && bun run bench/library.ts [--json] [--rounds 10]
//
// Per system: construction → first answered call; 50 parallel `sleep 100 ms` across the 5 servers (best
// of --rounds, warm); RSS of the process after that; one server SIGKILLed while 10 of 50 parallel
// `sleep 1000 ms` calls run on it (what the other 40 and those 10 get, and the next call to it); processes
// left once the client is closed.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DIST_HANGAR, ROOT } from "../tests/helpers/paths.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const SYSTEMS = ["hangar", "langchain", "mastra"] as const;
type SystemName = (typeof SYSTEMS)[number];
const SERVERS = 5;
const PARALLEL = 50;
/** The longest any one call is waited for here: past it, the call counts as hung. */
const HUNG_MS = 20_000;
/** How long after the crash the last call to the killed server is made (Hangar's circuit cooldown is 30 s). */
const COOLDOWN_MS = 31_000;
/** Fresh clients timed from construction to their first answered call. */
const FIRST_ROUNDS = 5;

const { values } = parseArgs({
  options: {
    system: { type: "string" },
    json: { type: "boolean", default: false },
    rounds: { type: "string", default: "10" },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);

/** One call's outcome as the bench sees it. */
interface Outcome {
  ok: boolean;
  detail: string;
  ms: number;
}

/** The same few operations on each system. */
interface System {
  /** Calls `tool` on server `i`; rejects when the call fails. */
  call(i: number, tool: string, args: Record<string, unknown>): Promise<unknown>;
  /** Runs calls in parallel, in the system's own way; each outcome in call order. */
  parallel(calls: { i: number; tool: string; args: Record<string, unknown> }[]): Promise<Outcome[]>;
  close(): Promise<void>;
}

/** A unique marker in every provider's argv, to find what a system left running. */
const MARK = `lib-bench-${process.pid}`;
const serverName = (i: number) => `p${i}`;
const servers = () =>
  Object.fromEntries(
    Array.from({ length: SERVERS }, (_, i) => [
      serverName(i),
      { command: DIST_HANGAR, args: ["demo-provider", "--name", `${MARK}-${i}`] },
    ]),
  );

const since = (start: number) => performance.now() - start;
const failedAnswer = (answer: unknown) =>
  typeof answer === "object" &&
  answer !== null &&
  ((answer as { isError?: unknown }).isError === true || "error" in answer);

/** Waits for `work`, at most HUNG_MS. */
async function outcome(work: () => Promise<unknown>): Promise<Outcome> {
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `hung (> ${HUNG_MS / 1000} s)`, ms: since(start) }), HUNG_MS);
  });
  const done = work().then(
    (answer): Outcome =>
      failedAnswer(answer)
        ? { ok: false, detail: `error answer: ${JSON.stringify(answer).slice(0, 100)}`, ms: since(start) }
        : { ok: true, detail: "ok", ms: since(start) },
    (error: unknown): Outcome => ({
      ok: false,
      detail: `${(error as Error)?.name ?? "Error"}: ${String((error as Error)?.message ?? error).slice(0, 100)}`,
      ms: since(start),
    }),
  );
  const result = await Promise.race([done, hung]);
  clearTimeout(timer);
  return result;
}

// Each system's code is imported only in its own process, so its RSS holds no other system's modules.
async function openHangar(): Promise<System> {
  const { Hangar } = await import("../src/lib/index.ts");
  // Per-provider max_concurrency 16 (default 8), so 10 calls to one server run in one wave, as elsewhere.
  const hangar = await Hangar.open({ config: { defaults: { max_concurrency: 16 }, mcpServers: servers() } });
  return {
    call: async (i, tool, args) => {
      const answer = await hangar.callTool(serverName(i), tool, args);
      if (answer.isError) throw new Error(JSON.stringify(answer.content));
      return answer;
    },
    parallel: async (calls) => {
      const start = performance.now();
      const batch = await hangar.call(
        calls.map(({ i, tool, args }) => ({ provider: serverName(i), tool, arguments: args })),
      );
      return batch.results.map((r) => ({
        ok: r.ok,
        detail: r.ok ? "ok" : `${r.error?.type}: ${r.error?.message.slice(0, 100)}`,
        ms: r.elapsed_ms || since(start),
      }));
    },
    close: () => hangar.close(),
  };
}

async function openLangChain(): Promise<System> {
  const { MultiServerMCPClient } = await import("@langchain/mcp-adapters");
  const client = new MultiServerMCPClient({
    mcpServers: Object.fromEntries(
      Object.entries(servers()).map(([k, v]) => [k, { transport: "stdio" as const, ...v }]),
    ),
  });
  const byServer = new Map<string, Awaited<ReturnType<typeof client.getTools>>>();
  const toolOf = async (i: number, tool: string) => {
    let tools = byServer.get(serverName(i));
    if (!tools) {
      tools = await client.getTools(serverName(i));
      byServer.set(serverName(i), tools);
    }
    const found = tools.find((t) => t.name === tool);
    if (!found) throw new Error(`no tool ${tool} on ${serverName(i)}`);
    return found;
  };
  const call = async (i: number, tool: string, args: Record<string, unknown>) => (await toolOf(i, tool)).invoke(args);
  return {
    call,
    parallel: (calls) => Promise.all(calls.map(({ i, tool, args }) => outcome(() => call(i, tool, args)))),
    close: () => client.close(),
  };
}

async function openMastra(): Promise<System> {
  const { MCPClient } = await import("@mastra/mcp");
  const client = new MCPClient({ id: MARK, servers: servers() });
  let tools: Awaited<ReturnType<typeof client.listTools>> | undefined;
  const call = async (i: number, tool: string, args: Record<string, unknown>) => {
    tools ??= await client.listTools();
    const found = tools[`${serverName(i)}_${tool}`];
    if (!found?.execute) throw new Error(`no tool ${tool} on ${serverName(i)}`);
    return await found.execute(args, {} as never);
  };
  return {
    call,
    parallel: (calls) => Promise.all(calls.map(({ i, tool, args }) => outcome(() => call(i, tool, args)))),
    close: () => client.disconnect(),
  };
}

const OPEN: Record<SystemName, () => Promise<System>> = {
  hangar: openHangar,
  langchain: openLangChain,
  mastra: openMastra,
};

/** Processes anywhere whose argv holds this run's marker (the providers, however they were reparented). */
function markedProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      const state = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.[0];
      if (argv.includes(MARK) && state !== "Z") found.push(Number(entry));
    } catch {
      // Gone while reading.
    }
  }
  return found;
}

/** Figures of one system, measured in this process. */
interface Figures {
  system: SystemName;
  first_call_ms: number;
  parallel_50_ms: number;
  parallel_50_ok: number;
  rss_mib: number;
  rss_added_mib: number;
  crash: {
    others_ok: string;
    crashed_calls: string;
    crashed_settled_ms: number;
    next_call: string;
    next_call_ms: number;
    restarted: string;
    later: string;
  };
  close_ms: number;
  left_after_close: number;
}

async function measure(name: SystemName): Promise<Figures> {
  const rounds = Number(values.rounds);
  const rssBefore = process.memoryUsage().rss / 1024 / 1024;
  // Construction → first answered call: a fresh client each time, median of FIRST_ROUNDS, after one
  // untimed round (module loading, the file cache).
  const firsts: number[] = [];
  for (let r = 0; r <= FIRST_ROUNDS; r++) {
    const began = performance.now();
    const fresh = await OPEN[name]();
    await fresh.call(0, "echo", { message: "first" });
    if (r > 0) firsts.push(since(began));
    await fresh.close();
  }
  const first = firsts.sort((a, b) => a - b)[Math.floor(firsts.length / 2)]!;
  log(`${name}: first answered call after ${first.toFixed(0)} ms (median of ${FIRST_ROUNDS})`);
  let start = performance.now();
  const system = await OPEN[name]();

  for (let i = 0; i < SERVERS; i++) await system.call(i, "sleep", { ms: 1 }); // warm: every server up
  const spread = (ms: number) =>
    Array.from({ length: PARALLEL }, (_, k) => ({ i: k % SERVERS, tool: "sleep", args: { ms } }));
  let best = Number.POSITIVE_INFINITY;
  let okCount = 0;
  for (let r = 0; r < rounds; r++) {
    start = performance.now();
    const outcomes = await system.parallel(spread(100));
    best = Math.min(best, since(start));
    okCount = outcomes.filter((o) => o.ok).length;
  }
  const rss = process.memoryUsage().rss / 1024 / 1024;
  log(`${name}: 50 parallel calls in ${best.toFixed(1)} ms (${okCount} ok), rss ${rss.toFixed(0)} MiB`);

  // The crash: server 0's process is killed 300 ms into 50 parallel 1 s calls.
  const info = JSON.stringify(await system.call(0, "info", {}));
  const pid = Number(/\\?"pid\\?":\s*(\d+)/.exec(info)?.[1]);
  if (!Number.isInteger(pid)) throw new Error(`${name}: no pid in the info answer ${info.slice(0, 200)}`);
  start = performance.now();
  const running = system.parallel(spread(1000));
  setTimeout(() => process.kill(pid, "SIGKILL"), 300);
  const outcomes = await running;
  const crashed = outcomes.filter((_, k) => k % SERVERS === 0);
  const others = outcomes.filter((_, k) => k % SERVERS !== 0);
  const crashedSettled = Math.max(...crashed.map((o) => o.ms));
  const details = [...new Set(crashed.map((o) => (o.ok ? "ok" : o.detail)))];
  const next = await outcome(() => system.call(0, "echo", { message: "after the crash" }));
  // Whether the server runs again, in a new process (a restart), once the next call has been made.
  const after = await outcome(async () => {
    const again = JSON.stringify(await system.call(0, "info", {}));
    const newPid = Number(/\\?"pid\\?":\s*(\d+)/.exec(again)?.[1]);
    if (!Number.isInteger(newPid) || newPid === pid) throw new Error(`same or no pid: ${again.slice(0, 80)}`);
  });
  const restarted = after.ok ? "a new process answers" : "no new process";
  // Past Hangar's default circuit cooldown (30 s): does a call to the killed server work now?
  await Bun.sleep(COOLDOWN_MS);
  const later = await outcome(() => system.call(0, "echo", { message: "later" }));
  log(
    `${name}: crash → others ${others.filter((o) => o.ok).length}/40 ok; crashed: ${details.join(" | ")} by ${crashedSettled.toFixed(0)} ms; next: ${next.detail}; ${restarted}`,
  );

  start = performance.now();
  await system.close();
  const closeMs = since(start);
  await Bun.sleep(1000);
  const left = markedProcesses();
  log(`${name}: closed in ${closeMs.toFixed(0)} ms, ${left.length} processes left after 1 s`);
  return {
    system: name,
    first_call_ms: Math.round(first),
    parallel_50_ms: Math.round(best * 10) / 10,
    parallel_50_ok: okCount,
    rss_mib: Math.round(rss),
    rss_added_mib: Math.round(rss - rssBefore),
    crash: {
      others_ok: `${others.filter((o) => o.ok).length}/${others.length}`,
      crashed_calls: `${crashed.filter((o) => o.ok).length}/${crashed.length} ok; ${details.join(" | ")}`,
      crashed_settled_ms: Math.round(crashedSettled),
      next_call: next.detail,
      next_call_ms: Math.round(next.ms),
      restarted,
      later: later.detail,
    },
    close_ms: Math.round(closeMs),
    left_after_close: left.length,
  };
}

if (values.system) {
  const figures = await measure(values.system as SystemName);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

if (!existsSync(DIST_HANGAR)) throw new Error(`${DIST_HANGAR} is missing; run \`bash scripts/build.sh\` first`);
const all: Figures[] = [];
for (const name of SYSTEMS) {
  const child = Bun.spawn(
    [process.execPath, join(ROOT, "bench/library.ts"), "--system", name, "--rounds", values.rounds!],
    {
      stdout: "pipe",
      stderr: "inherit",
    },
  );
  const out = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`${name} failed`);
  all.push(JSON.parse(out.trim().split("\n").at(-1)!));
}
if (values.json) {
  process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
} else {
  const versions = ["@langchain/mcp-adapters", "@mastra/mcp"].map(
    (pkg) => `${pkg} ${JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version}`,
  );
  const row = (label: string, cell: (f: Figures) => string) => `| ${label} | ${all.map(cell).join(" | ")} |`;
  const lines = [
    `bun ${Bun.version}, ${process.platform}-${process.arch}; ${versions.join(", ")}`,
    "",
    `| | ${all.map((f) => f.system).join(" | ")} |`,
    `|---|${all.map(() => "---").join("|")}|`,
    row(`construction → first answered call, median of ${FIRST_ROUNDS} (ms)`, (f) => String(f.first_call_ms)),
    row(
      "50 parallel `sleep 100 ms` over 5 servers, best (ms)",
      (f) => `${f.parallel_50_ms} (${f.parallel_50_ok}/50 ok)`,
    ),
    row("process RSS after that (MiB; added since before the import)", (f) => `${f.rss_mib} (+${f.rss_added_mib})`),
    row("crash: the 40 calls to other servers", (f) => f.crash.others_ok),
    row(
      "crash: the 10 calls on the killed server",
      (f) => `${f.crash.crashed_calls} (settled by ${f.crash.crashed_settled_ms} ms)`,
    ),
    row("crash: the next call to it", (f) => `${f.crash.next_call} (${f.crash.next_call_ms} ms); ${f.crash.restarted}`),
    row(`crash: a call ${COOLDOWN_MS / 1000} s later`, (f) => f.crash.later),
    row("close (ms)", (f) => String(f.close_ms)),
    row("processes left 1 s after close", (f) => String(f.left_after_close)),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
