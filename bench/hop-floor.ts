// The floor of a stdio hop beside `hangar serve`: an envelope-only forwarder (JSON.parse of each line,
// request ids remapped, nothing validated, no policies) and hangar, each in front of its own demo
// provider, driven alike by a raw JSON-RPC client (no SDK on the client side): 64 calls in flight,
// calls per second and the CPU time per call of the front process and of its provider (from /proc).
// Interleaved in rounds; several `--binary` are run in turn each round (before/after comparisons).
// `--forward --era 2026` is the same forwarder speaking MCP 2026-07-28 to its provider as hangar does (it
// answers the client's `initialize` itself and sends each request with the 2026 envelope): the floor of
// any process between a 2025 client and a provider reached in 2026-07-28 (bench/serve.ts `--floors`).
// `--syscalls perf|strace` also counts the front's syscalls over the measured calls and prints them per
// call, busiest first (`perf stat` on syscall tracepoints barely slows it; `strace -f -c` names every
// syscall but slows the process several times over, so it batches more and its calls/s mean little).
//
//   bun run bench/hop-floor.ts [--binary dist/hangar]… [--calls 10000] [--concurrency 64] [--rounds 3]
//     [--no-forwarder] [--syscalls perf|strace] [--json]
//   bun run bench/hop-floor.ts --forward [--era 2025|2026] [--binary dist/hangar]   (the forwarder alone, on stdio)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { childrenOf, cpuMs, ENVELOPE_2026, hangarArgv } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    binary: { type: "string", multiple: true },
    calls: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    forward: { type: "boolean", default: false },
    era: { type: "string", default: "2025" },
    "no-forwarder": { type: "boolean", default: false },
    syscalls: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const binaries = values.binary?.length ? values.binary.map((binary) => [resolve(binary)]) : [hangarArgv()];
const hangar = binaries[0]!;

/** Reads `stream` line by line. */
async function lines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line) onLine(line);
    }
  }
}

/**
 * `--forward`: this process is the forwarder in front of a demo provider. With `--era 2026` it answers
 * the client's handshake itself and reaches the provider in 2026-07-28, and gives the client each result
 * without the 2026 codec's `resultType` and server info, as hangar does for a 2025 client.
 */
async function forward(): Promise<void> {
  if (values.era !== "2025" && values.era !== "2026") throw new Error("--era is 2025 or 2026");
  const modern = values.era === "2026";
  const provider = Bun.spawn([...hangar, "demo-provider", "--name", "p0"], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
  });
  const ids = new Map<number, unknown>();
  let next = 0;
  let down: string[] = [];
  let up: string[] = [];
  const flushDown = () => {
    process.stdout.write(down.join(""));
    down = [];
  };
  const flushUp = () => {
    provider.stdin.write(up.join(""));
    provider.stdin.flush();
    up = [];
  };
  void lines(provider.stdout, (line) => {
    const message = JSON.parse(line);
    if (typeof message.id === "number" && ids.has(message.id)) {
      const id = message.id;
      message.id = ids.get(id);
      ids.delete(id);
      if (modern && message.result) {
        delete message.result.resultType;
        delete message.result._meta;
      }
    }
    if (down.push(`${JSON.stringify(message)}\n`) === 1) setImmediate(flushDown);
  });
  await lines(Bun.stdin.stream(), (line) => {
    const message = JSON.parse(line);
    if (modern && message.method === "initialize") {
      const { protocolVersion } = message.params;
      const result = { protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "forwarder", version: "1" } };
      if (down.push(`${JSON.stringify({ jsonrpc: "2.0", id: message.id, result })}\n`) === 1) setImmediate(flushDown);
      return;
    }
    if (modern && message.method === "notifications/initialized") return;
    if ("id" in message && "method" in message) {
      if (modern) message.params = { ...message.params, _meta: { ...message.params?._meta, ...ENVELOPE_2026 } };
      ids.set(++next, message.id);
      message.id = next;
    }
    if (up.push(`${JSON.stringify(message)}\n`) === 1) setImmediate(flushUp);
  });
  provider.kill();
}

const SYSCALLS = ["sendto", "recvfrom", "write", "writev", "read", "epoll_ctl", "epoll_pwait2", "futex", "madvise"];

/**
 * Counts the syscalls of `pid` and its threads until `stop()`: name → count. `perf` (tracepoints; cheap,
 * so the process batches as it does untraced) counts the total and the names above; `strace -f -c` counts
 * every name but slows the process several times over, which makes it batch more.
 */
async function countSyscalls(
  pid: number,
  dir: string,
  tool: "perf" | "strace",
): Promise<{ stop(): Promise<Record<string, number>> }> {
  const out = join(dir, `${tool}-${pid}.txt`);
  const events = ["raw_syscalls:sys_enter", ...SYSCALLS.map((name) => `syscalls:sys_enter_${name}`)].join(",");
  const argv =
    tool === "perf"
      ? ["perf", "stat", "-x", ",", "-e", events, "-o", out, "-p", String(pid)]
      : ["strace", "-f", "-c", "-o", out, "-p", String(pid)];
  const counter = Bun.spawn(argv, { stderr: "pipe" });
  if (tool === "strace") {
    // Attached once it names the process (and each of its threads).
    const reader = counter.stderr.getReader();
    for (let seen = ""; !seen.includes("attached"); ) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`strace could not attach to ${pid}: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    reader.releaseLock();
  } else await Bun.sleep(200); // perf prints nothing when attached; give it time to open its events
  return {
    async stop() {
      counter.kill("SIGINT");
      await counter.exited;
      const counts: Record<string, number> = {};
      for (const line of readFileSync(out, "utf8").split("\n")) {
        if (tool === "perf") {
          // count,unit,event,…
          const [count, , event] = line.split(",");
          if (event === "raw_syscalls:sys_enter") counts.total = Number(count);
          else if (event?.startsWith("syscalls:sys_enter_")) counts[event.slice(19)] = Number(count);
          continue;
        }
        // % time, seconds, usecs/call, calls, [errors,] syscall
        const fields = line.trim().split(/\s+/);
        const name = fields.at(-1);
        if (fields.length < 5 || !name || !/^[\d.]+$/.test(fields[0]!) || name === "total") continue;
        counts[name] = Number(fields[3]);
      }
      if (tool === "strace") counts.total = Object.values(counts).reduce((a, b) => a + b, 0);
      return counts;
    },
  };
}

interface Run {
  calls_per_s: number;
  cpu_us_per_call: number;
  provider_cpu_us_per_call: number;
  syscalls_per_call?: number;
  syscalls?: Record<string, number>;
}

/** Drives the front `argv` with `calls` echo calls, `concurrency` in flight, after `initialize` and a warm-up. */
async function drive(argv: string[], env: Record<string, string>, tool: string, dir: string): Promise<Run> {
  const CALLS = Number(values.calls);
  const proc = Bun.spawn(argv, { stdin: "pipe", stdout: "pipe", stderr: "ignore", env });
  const waiting = new Map<number, () => void>();
  void lines(proc.stdout, (line) => {
    const message = JSON.parse(line);
    if (typeof message.id === "number") waiting.get(message.id)?.();
  });
  let id = 0;
  const request = (method: string, params: object) =>
    new Promise<void>((resolve) => {
      waiting.set(++id, resolve);
      proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
      proc.stdin.flush();
    });
  await request("initialize", {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "b", version: "1" },
  });
  proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`);
  const call = () => request("tools/call", { name: tool, arguments: { message: "x" } });
  for (let i = 0; i < 200; i++) await call();
  const provider = childrenOf(proc.pid).find((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("demo-provider"),
  );
  const counter = values.syscalls;
  if (counter !== undefined && counter !== "perf" && counter !== "strace")
    throw new Error("--syscalls: perf or strace");
  const syscalls = counter ? await countSyscalls(proc.pid, dir, counter) : undefined;
  const cpuBefore = cpuMs(proc.pid);
  const providerBefore = provider === undefined ? Number.NaN : cpuMs(provider);
  const start = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent++ < CALLS) await call();
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuMs(proc.pid) - cpuBefore;
  const providerCpu = provider === undefined ? Number.NaN : cpuMs(provider) - providerBefore;
  const counts = await syscalls?.stop();
  proc.stdin.end();
  await proc.exited;
  const perCall = (n: number) => Math.round((n / CALLS) * 100) / 100;
  const run: Run = {
    calls_per_s: Math.round(CALLS / seconds),
    cpu_us_per_call: Math.round((cpu * 1000) / CALLS),
    provider_cpu_us_per_call: Math.round((providerCpu * 1000) / CALLS),
  };
  if (counts) {
    const { total, ...named } = counts;
    run.syscalls_per_call = perCall(total ?? Number.NaN);
    run.syscalls = Object.fromEntries(
      Object.entries(named)
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => [name, perCall(n)]),
    );
  }
  return run;
}

if (values.forward) await forward();
else {
  const home = mkdtempSync(join(tmpdir(), "hangar-bench-hop-"));
  const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;
  const runs: Record<string, Run[]> = {};
  const record = (name: string, run: Run) => {
    runs[name] ??= [];
    runs[name].push(run);
  };
  const configs = binaries.map((argv, i) => {
    const config = join(home, `hangar-${i}.yaml`);
    writeFileSync(
      config,
      `providers:\n  - ${JSON.stringify({ id: "p0", command: [...argv, "demo-provider", "--name", "p0"], idle_ttl_s: 0, max_concurrency: 64 })}\n`,
    );
    return config;
  });
  const name = (i: number) => (binaries.length === 1 ? "hangar" : `hangar ${values.binary![i]}`);
  for (let round = 0; round < Number(values.rounds); round++) {
    if (!values["no-forwarder"]) {
      const binary = values.binary?.[0];
      const forwarder = [process.execPath, import.meta.path, "--forward", ...(binary ? ["--binary", binary] : [])];
      record("forwarder", await drive(forwarder, env, "echo", home));
    }
    for (const [i, argv] of binaries.entries())
      record(name(i), await drive([...argv, "--config", configs[i]!, "serve"], env, "p0__echo", home));
  }
  rmSync(home, { recursive: true, force: true });
  if (values.json) console.log(JSON.stringify(runs, null, 2));
  else {
    console.log(
      `stdio hop floor — ${values.calls} echo calls, ${values.concurrency} in flight, ${values.rounds} interleaved rounds`,
    );
    for (const [name, rs] of Object.entries(runs)) {
      console.log(`  ${name}`);
      for (const r of rs) {
        const sys = r.syscalls_per_call === undefined ? "" : `, ${r.syscalls_per_call} syscalls/call`;
        console.log(
          `    ${r.calls_per_s} calls/s, ${r.cpu_us_per_call} µs CPU/call (its provider ${r.provider_cpu_us_per_call})${sys}`,
        );
        if (r.syscalls)
          console.log(
            `      ${Object.entries(r.syscalls)
              .slice(0, 8)
              .map(([n, c]) => `${n} ${c}`)
              .join(", ")}`,
          );
      }
    }
  }
}
