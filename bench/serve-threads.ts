// Where `hangar serve`'s CPU per call goes at 64 in flight, thread by thread: the SDK v1 client of
// bench/serve.ts drives a demo provider directly and through each `--binary` in turn, round after round
// (`--calls` each), and prints per round the calls per second, the CPU per call of every process and of
// each thread of hangar's and the provider's (the JS thread, JavaScriptCore's JIT compiler threads, its GC
// helpers, mimalloc's scavenger), and with `--syscalls` hangar's syscalls per call (`perf stat`). Round 0
// comes right after `--warm` calls, as bench/serve.ts's 3000-call throughput figure does; later rounds show
// the process once its JIT compilers are done. `--jsc` (JSON object) sets JavaScriptCore options
// (`BUN_JSC_<name>`) for hangar's process only, e.g. '{"useFTLJIT":"0"}'.
//
//   bun run bench/serve-threads.ts [--binary dist/hangar]… [--calls 3000] [--rounds 4] [--warm 1000]
//     [--syscalls] [--jsc '{"name":"value"}'] [--direct-client sdk1|sdk2]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client as ModernClient } from "@modelcontextprotocol/client";
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { childrenOf, cpuMs, hangarArgv, writeDemoConfig } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side, as in bench/serve.ts.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    binary: { type: "string", multiple: true },
    calls: { type: "string", default: "3000" },
    rounds: { type: "string", default: "4" },
    warm: { type: "string", default: "1000" },
    syscalls: { type: "boolean", default: false },
    jsc: { type: "string", default: "{}" },
    // sdk2: the direct client is the v2 one, 2026-07-28 to the provider as hangar speaks it (bench/serve.ts).
    "direct-client": { type: "string", default: "sdk1" },
  },
});
const CALLS = Number(values.calls);
const binaries = values.binary?.length ? values.binary.map((binary) => [resolve(binary)]) : [hangarArgv()];
const home = mkdtempSync(join(tmpdir(), "hangar-bench-threads-"));
const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;
const jsc = Object.entries(JSON.parse(values.jsc) as Record<string, string>).map(([k, v]) => `BUN_JSC_${k}=${v}`);

interface Session {
  readonly name: string;
  readonly client: Pick<Client, "callTool" | "close">;
  /** The process the client talks to, then the provider behind it (hangar's child), if any. */
  pids: number[];
}

/** CPU ms of each thread of `pid`, by "name" (threads of one name summed). */
function threads(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, "utf8");
    const name = task === String(pid) ? "js" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
  }
  return byName;
}

async function open(name: string, argv: string[], modern = false): Promise<Session> {
  if (modern) {
    const client = new ModernClient({ name: "bench", version: "1" }, { versionNegotiation: { mode: "auto" } });
    const transport = new ModernStdioTransport({ command: argv[0]!, args: argv.slice(1), env, stderr: "ignore" });
    await client.connect(transport);
    return { name, client: client as unknown as Session["client"], pids: [transport.pid!] };
  }
  const client = new Client({ name: "bench", version: "1" });
  const transport = new StdioClientTransport({ command: argv[0]!, args: argv.slice(1), env, stderr: "ignore" });
  await client.connect(transport);
  const pid = transport.pid!;
  return { name, client, pids: [pid] };
}

async function run(session: Session, tool: string, calls: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next++ < calls) await session.client.callTool({ name: tool, arguments: { message: "x" } });
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

/** Counts `pid`'s syscalls until `stop()` (perf stat on tracepoints): name → count. */
async function countSyscalls(pid: number): Promise<() => Promise<Record<string, number>>> {
  const names = ["sendto", "recvfrom", "write", "read", "epoll_ctl", "epoll_pwait2", "futex", "madvise"];
  const out = join(home, `perf-${pid}.txt`);
  const events = ["raw_syscalls:sys_enter", ...names.map((name) => `syscalls:sys_enter_${name}`)].join(",");
  const perf = Bun.spawn(["perf", "stat", "-x", ",", "-e", events, "-o", out, "-p", String(pid)], { stderr: "ignore" });
  await Bun.sleep(300);
  return async () => {
    perf.kill("SIGINT");
    await perf.exited;
    const counts: Record<string, number> = {};
    for (const line of readFileSync(out, "utf8").split("\n")) {
      const [count, , event] = line.split(",");
      if (event === "raw_syscalls:sys_enter") counts.total = Number(count);
      else if (event?.startsWith("syscalls:sys_enter_")) counts[event.slice(19)] = Number(count);
    }
    return counts;
  };
}

const provider = (id: string) => [...binaries[0]!, "demo-provider", "--name", id];
const sessions: { session: Session; tool: string }[] = [
  { session: await open("direct", provider("p0"), values["direct-client"] === "sdk2"), tool: "echo" },
];
for (const [i, binary] of binaries.entries()) {
  const config = writeDemoConfig(home, binary, 1);
  const argv = jsc.length ? ["env", ...jsc, ...binary] : binary;
  sessions.push({ session: await open(`hangar#${i}`, [...argv, "--config", config, "serve"]), tool: "p0__echo" });
}
for (const { session, tool } of sessions) {
  await run(session, tool, Number(values.warm));
  session.pids = [session.pids[0]!, ...childrenOf(session.pids[0]!)];
}

const perUs = (ms: number) => Math.round((ms * 1000) / CALLS);
for (let round = 0; round < Number(values.rounds); round++)
  for (const { session, tool } of sessions) {
    const cpuBefore = session.pids.map(cpuMs);
    const threadsBefore = session.pids.map(threads);
    const stopCount = values.syscalls ? await countSyscalls(session.pids[0]!) : undefined;
    const start = performance.now();
    await run(session, tool, CALLS);
    const rate = Math.round(CALLS / ((performance.now() - start) / 1000));
    const counts = await stopCount?.();
    const cpu = session.pids.map((pid, i) => perUs(cpuMs(pid) - cpuBefore[i]!));
    const split = session.pids.map((pid, i) =>
      [...threads(pid)]
        .map(([name, ms]) => [name, perUs(ms - (threadsBefore[i]!.get(name) ?? 0))] as const)
        .filter(([, us]) => us > 0)
        .map(([name, us]) => `${name} ${us}`)
        .join(", "),
    );
    console.log(
      `round ${round} ${session.name.padEnd(9)} ${String(rate).padStart(6)} calls/s  CPU µs per call: ${cpu.join(" + ")}`,
    );
    console.log(`    threads: ${split.join("  |  ")}`);
    if (counts)
      console.log(
        `    syscalls per call: ${Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([name, n]) => `${name} ${(n / CALLS).toFixed(2)}`)
          .join(", ")}`,
      );
  }
for (const { session } of sessions) await session.client.close();
rmSync(home, { recursive: true, force: true });
