// Replicas benchmark (issue 13): throughput of 1 vs 3 `hangar serve --http` replicas behind HAProxy
// (round-robin, no stickiness, sealed 2025 session ids), and the latency the load-balancer hop adds.
//
//   bun run bench/replicas.ts [--calls 1000] [--throughput-calls 4000] [--clients 8] [--concurrency 4] [--json]
//
// Needs Debian's HAProxy (/usr/sbin/haproxy; .ci/run installs it) and dist/hangar. The server is the demo
// provider's `echo` behind each replica. Both eras: a v1 SDK client (2025 session, sealed id) and a v2
// client pinned to 2026-07-28 (sessionless).
//   latency     one call at a time, interleaved in 10 rounds after a warm-up: direct to replica 0, and
//               through HAProxy with replica 0 as its only backend (the difference is the hop)
//   throughput  --clients clients (each its own session), --concurrency calls in flight each, until
//               --throughput-calls are done: HAProxy → 1 replica, then HAProxy → 3 replicas
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { HAPROXY, type Haproxy, startHaproxy } from "../tests/helpers/haproxy.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README): a direct
// 2025 client always meets the SDK, and hangar's 2026-07-28 calls must meet the same provider code.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "1000" },
    "throughput-calls": { type: "string", default: "4000" },
    clients: { type: "string", default: "8" },
    concurrency: { type: "string", default: "4" },
    json: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const THROUGHPUT_CALLS = Number(values["throughput-calls"]);
const CLIENTS = Number(values.clients);
const CONCURRENCY = Number(values.concurrency);
if (HAPROXY === undefined) throw new Error("HAProxy is not installed: apt-get install -y haproxy");

const root = resolve(import.meta.dir, "..");
const hangar = join(root, "dist/hangar");
const home = mkdtempSync(join(tmpdir(), "hangar-bench-replicas-"));
const children: Bun.Subprocess[] = [];
const balancers: Haproxy[] = [];

/** Starts a replica and resolves with its base URL once it listens. */
async function replica(): Promise<string> {
  const proc = Bun.spawn([hangar, "serve", "--http", "--port", "0", "--session-key-file", join(home, "key")], {
    cwd: home,
    env: { ...process.env, HOME: home },
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  children.push(proc);
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += decoder.decode(value);
    const match = /Hangar serving MCP on (http:\/\/\S+)\/mcp/.exec(seen);
    if (match) {
      void (async () => {
        while (!(await reader.read()).done); // keep its stderr flowing
      })();
      return match[1] as string;
    }
  }
  throw new Error(`hangar exited before listening: ${seen}`);
}

/** What the bench calls on. */
interface Caller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}
type Era = "2025" | "2026";

async function connect(base: string, era: Era): Promise<Caller> {
  const url = new URL(`${base}/mcp`);
  if (era === "2025") {
    const client = new Client({ name: "bench-replicas", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(url));
    return client;
  }
  const client = new ModernClient(
    { name: "bench-replicas", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(new ModernTransport(url));
  return client;
}
const echo = (caller: Caller) => caller.callTool({ name: "demo__echo", arguments: { message: "x" } });

/** Calls until one succeeds (the provider starts and the catalog fills on first use). */
async function warm(caller: Caller): Promise<void> {
  for (let tries = 0; ; tries++) {
    try {
      await echo(caller);
      return;
    } catch (error) {
      if (tries > 100) throw error;
      await Bun.sleep(50);
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const round3 = (value: number) => Math.round(value * 1000) / 1000;

writeFileSync(join(home, "key"), `${crypto.randomUUID()}${crypto.randomUUID()}\n`);
writeFileSync(
  join(home, "hangar.yaml"),
  `max_concurrency: 256\nproviders:\n  - { id: demo, command: [${JSON.stringify(hangar)}, demo-provider, --name, demo], max_concurrency: 64 }\n`,
);
async function cleanUp(): Promise<void> {
  for (const lb of balancers) await lb[Symbol.asyncDispose]();
  for (const child of children) child.kill("SIGTERM");
  await Promise.all(children.map((child) => child.exited));
  rmSync(home, { recursive: true, force: true });
}

/** Measures everything; the processes are stopped whatever happens. */
async function measure() {
  const bases = await Promise.all([replica(), replica(), replica()]);
  const ports = bases.map((base) => Number(new URL(base).port));
  const one = await startHaproxy(mkdtempSync(join(home, "lb1-")), ports.slice(0, 1));
  const three = await startHaproxy(mkdtempSync(join(home, "lb3-")), ports);
  balancers.push(one, three);

  // Latency: direct vs through HAProxy to the same replica, both eras, interleaved.
  const paths = [
    { name: "2025 direct", caller: await connect(bases[0] as string, "2025") },
    { name: "2025 via HAProxy", caller: await connect(one.base, "2025") },
    { name: "2026 direct", caller: await connect(bases[0] as string, "2026") },
    { name: "2026 via HAProxy", caller: await connect(one.base, "2026") },
  ];
  for (const path of paths) await warm(path.caller);
  const times = paths.map((): number[] => []);
  for (let round = 0; round <= 10; round++) {
    const n = round === 0 ? 100 : CALLS / 10;
    for (const [index, path] of paths.entries()) {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await echo(path.caller);
        if (round > 0) times[index]?.push(performance.now() - t);
      }
    }
  }
  for (const list of times) list.sort((a, b) => a - b);
  for (const path of paths) await path.caller.close().catch(() => {});

  /** Calls per second of CLIENTS clients with CONCURRENCY calls in flight each, through `lb`. */
  async function throughput(lb: Haproxy, era: Era): Promise<number> {
    const callers = await Promise.all(Array.from({ length: CLIENTS }, () => connect(lb.base, era)));
    for (const caller of callers) await warm(caller);
    let left = THROUGHPUT_CALLS;
    const t = performance.now();
    await Promise.all(
      callers.flatMap((caller) =>
        Array.from({ length: CONCURRENCY }, async () => {
          while (left-- > 0) await echo(caller);
        }),
      ),
    );
    const rate = THROUGHPUT_CALLS / ((performance.now() - t) / 1000);
    await Promise.all(callers.map((caller) => caller.close().catch(() => {})));
    return rate;
  }
  const rates = {
    "2025": { one: await throughput(one, "2025"), three: await throughput(three, "2025") },
    "2026": { one: await throughput(one, "2026"), three: await throughput(three, "2026") },
  };

  const report = {
    calls: CALLS,
    throughput_calls: THROUGHPUT_CALLS,
    clients: CLIENTS,
    concurrency: CONCURRENCY,
    cores: navigator.hardwareConcurrency,
    latency: paths.map((path, index) => ({
      name: path.name,
      p50_ms: round3(percentile(times[index] as number[], 50)),
      p99_ms: round3(percentile(times[index] as number[], 99)),
    })),
    throughput: Object.entries(rates).map(([era, rate]) => ({
      era,
      one_replica_per_s: Math.round(rate.one),
      three_replicas_per_s: Math.round(rate.three),
    })),
  };
  return report;
}

let report: Awaited<ReturnType<typeof measure>>;
try {
  report = await measure();
} finally {
  await cleanUp();
}

if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  console.log(
    `hangar replicas benchmark — bun ${Bun.version}, ${process.platform}-${process.arch}, ${report.cores} cores; echo on the demo provider`,
  );
  console.log(`latency, one call at a time (${CALLS} calls each, ms):`);
  console.log(`  ${pad("", 18)} ${pad("p50", 8)} ${pad("p99", 8)}`);
  for (const row of report.latency)
    console.log(`  ${row.name.padEnd(18)} ${pad(row.p50_ms.toFixed(3), 8)} ${pad(row.p99_ms.toFixed(3), 8)}`);
  for (const era of ["2025", "2026"]) {
    const [direct, via] = report.latency.filter((row) => row.name.startsWith(era));
    if (direct && via)
      console.log(
        `  ${`${era} hop adds`.padEnd(18)} ${pad((via.p50_ms - direct.p50_ms).toFixed(3), 8)} ${pad((via.p99_ms - direct.p99_ms).toFixed(3), 8)}`,
      );
  }
  console.log(
    `throughput, ${CLIENTS} clients × ${CONCURRENCY} calls in flight through HAProxy (${THROUGHPUT_CALLS} calls, calls/s):`,
  );
  console.log(`  ${pad("", 6)} ${pad("1 replica", 10)} ${pad("3 replicas", 11)} ${pad("ratio", 6)}`);
  for (const row of report.throughput)
    console.log(
      `  ${row.era.padEnd(6)} ${pad(row.one_replica_per_s, 10)} ${pad(row.three_replicas_per_s, 11)} ${pad((row.three_replicas_per_s / row.one_replica_per_s).toFixed(2), 6)}`,
    );
}
