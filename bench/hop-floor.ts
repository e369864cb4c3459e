// The floor of a stdio hop beside `hangar serve`: an envelope-only forwarder (JSON.parse of each line,
// request ids remapped, nothing validated, no policies) and hangar, each in front of its own demo
// provider, driven alike by a raw JSON-RPC client (no SDK on the client side): 64 calls in flight,
// calls per second and the CPU time per call of the front process (from /proc). Interleaved in rounds.
//
//   bun run bench/hop-floor.ts [--binary dist/hangar] [--calls 10000] [--concurrency 64] [--rounds 3] [--json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { cpuMs, hangarArgv } from "./stats.ts";

const { values } = parseArgs({
  options: {
    binary: { type: "string" },
    calls: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "64" },
    rounds: { type: "string", default: "3" },
    forward: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const hangar = values.binary ? [resolve(values.binary)] : hangarArgv();

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

/** `--forward`: this process is the forwarder in front of a demo provider. */
async function forward(): Promise<void> {
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
    }
    if (down.push(`${JSON.stringify(message)}\n`) === 1) setImmediate(flushDown);
  });
  await lines(Bun.stdin.stream(), (line) => {
    const message = JSON.parse(line);
    if ("id" in message && "method" in message) {
      ids.set(++next, message.id);
      message.id = next;
    }
    if (up.push(`${JSON.stringify(message)}\n`) === 1) setImmediate(flushUp);
  });
  provider.kill();
}

/** Drives the front `argv` with `calls` echo calls, `concurrency` in flight, after `initialize` and a warm-up. */
async function drive(argv: string[], env: Record<string, string>, tool: string) {
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
  const cpuBefore = cpuMs(proc.pid);
  const start = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent++ < CALLS) await call();
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  const seconds = (performance.now() - start) / 1000;
  const cpu = cpuMs(proc.pid) - cpuBefore;
  proc.stdin.end();
  await proc.exited;
  return { calls_per_s: Math.round(CALLS / seconds), cpu_us_per_call: Math.round((cpu * 1000) / CALLS) };
}

if (values.forward) await forward();
else {
  const home = mkdtempSync(join(tmpdir(), "hangar-bench-hop-"));
  const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;
  const config = join(home, "hangar.yaml");
  writeFileSync(
    config,
    `providers:\n  - ${JSON.stringify({ id: "p0", command: [...hangar, "demo-provider", "--name", "p0"], idle_ttl_s: 0, max_concurrency: 64 })}\n`,
  );
  const runs: { forwarder: Awaited<ReturnType<typeof drive>>[]; hangar: Awaited<ReturnType<typeof drive>>[] } = {
    forwarder: [],
    hangar: [],
  };
  for (let round = 0; round < Number(values.rounds); round++) {
    runs.forwarder.push(
      await drive(
        [process.execPath, import.meta.path, "--forward", ...(values.binary ? ["--binary", values.binary] : [])],
        env,
        "echo",
      ),
    );
    runs.hangar.push(await drive([...hangar, "--config", config, "serve"], env, "p0__echo"));
  }
  rmSync(home, { recursive: true, force: true });
  if (values.json) console.log(JSON.stringify(runs, null, 2));
  else {
    console.log(
      `stdio hop floor — ${values.calls} echo calls, ${values.concurrency} in flight, ${values.rounds} interleaved rounds`,
    );
    for (const [name, rs] of Object.entries(runs))
      console.log(
        `  ${name.padEnd(10)} ${rs.map((r) => `${r.calls_per_s} calls/s, ${r.cpu_us_per_call} µs CPU/call`).join("; ")}`,
      );
  }
}
