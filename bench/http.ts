// HTTP benchmark: latency and throughput of one tool call through `hangar serve --http`, beside
// supergateway (a plain Streamable HTTP front) in front of the same stdio server, in one run.
//
//   bun run bench/http.ts [--calls 2000] [--throughput-calls 5000] [--concurrency 32] [--json]
//
// The server is the demo provider (`dist/hangar demo-provider`, its `echo` tool). Four paths:
//   supergateway             client → supergateway (node, --stateful, Streamable HTTP) → demo (stdio)
//   hangar                   client → hangar serve --http → demo (stdio), a 2025 session (SDK v1 client)
//   hangar 2026              the same in MCP 2026-07-28, sessionless (SDK v2 client pinned to it)
//   hangar → supergateway    client → hangar serve --http → supergateway → demo (stdio): the cost of the
//                            extra hop when Hangar fronts a remote Streamable HTTP server
// Latency: one call at a time, interleaved in 10 rounds after a warm-up. Throughput: `--concurrency`
// calls in flight on one session until `--throughput-calls` are done.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "2000" },
    "throughput-calls": { type: "string", default: "5000" },
    concurrency: { type: "string", default: "32" },
    json: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const THROUGHPUT_CALLS = Number(values["throughput-calls"]);
const CONCURRENCY = Number(values.concurrency);

const root = resolve(import.meta.dir, "..");
const hangar = join(root, "dist/hangar");
const supergateway = join(root, "node_modules/supergateway/dist/index.js");
const home = mkdtempSync(join(tmpdir(), "hangar-bench-http-"));
const children: Bun.Subprocess[] = [];

/** A loopback port with nothing on it now. */
function freePort(): number {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}

/** Starts a process and waits until `ready` matches its stderr or stdout. */
async function start(argv: string[], ready: RegExp, env: Record<string, string> = {}): Promise<string> {
  const proc = Bun.spawn(argv, {
    cwd: home,
    env: { ...process.env, HOME: home, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  children.push(proc);
  let seen = "";
  const { promise, resolve: found, reject } = Promise.withResolvers<string>();
  const timer = setTimeout(() => reject(new Error(`${argv.join(" ")} did not start: ${seen}`)), 15_000);
  for (const stream of [proc.stdout, proc.stderr]) {
    void (async () => {
      for await (const chunk of stream) {
        seen += new TextDecoder().decode(chunk);
        const match = ready.exec(seen);
        if (match) found(match[1] ?? "");
      }
    })();
  }
  return promise.finally(() => clearTimeout(timer));
}

/** What the bench calls on: the v1 client (2025 session) or the v2 client pinned to 2026-07-28. */
interface Caller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

async function connect(url: string): Promise<Caller> {
  const client = new Client({ name: "bench-http", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

async function connectModern(url: string): Promise<Caller> {
  const client = new ModernClient(
    { name: "bench-http", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(new ModernTransport(new URL(url)));
  return client;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (value: number) => Math.round(value * 1000) / 1000;

// supergateway, stateful: one demo provider per session (the bench uses one session per path).
const sgPort = freePort();
await start(
  [
    "node",
    supergateway,
    "--stdio",
    `${hangar} demo-provider --name demo`,
    "--outputTransport",
    "streamableHttp",
    "--stateful",
    "--port",
    String(sgPort),
    "--logLevel",
    "info",
  ],
  /(Listening on port \d+)/i,
);
const sgUrl = `http://127.0.0.1:${sgPort}/mcp`;

const providers = `  - { id: demo, command: [${JSON.stringify(hangar)}, demo-provider, --name, demo], max_concurrency: 64 }\n  - { id: remote, url: ${JSON.stringify(sgUrl)}, max_concurrency: 64 }\n`;
writeFileSync(join(home, "hangar.yaml"), `max_concurrency: 256\nproviders:\n${providers}`);
const hangarUrl = await start([hangar, "serve", "--http", "--port", "0"], /Hangar serving MCP on (\S+)/);

const paths = [
  { name: "supergateway", client: await connect(sgUrl), tool: "echo" },
  { name: "hangar", client: await connect(hangarUrl), tool: "demo__echo" },
  { name: "hangar → supergateway", client: await connect(hangarUrl), tool: "remote__echo" },
  { name: "hangar 2026", client: await connectModern(hangarUrl), tool: "demo__echo" },
];
const call = (path: (typeof paths)[number]) => path.client.callTool({ name: path.tool, arguments: { message: "x" } });
for (const path of paths) {
  for (let tries = 0; ; tries++) {
    try {
      await call(path); // warm: starts the provider and fills the catalog
      break;
    } catch (error) {
      if (tries > 100) throw error;
      await Bun.sleep(50);
    }
  }
}

// Latency, interleaved so drift hits every path alike.
const times = paths.map((): number[] => []);
for (let round = 0; round <= 10; round++) {
  const n = round === 0 ? 200 : CALLS / 10;
  for (const [index, path] of paths.entries()) {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await call(path);
      if (round > 0) times[index]!.push(performance.now() - t);
    }
  }
}
for (const list of times) list.sort((a, b) => a - b);

// Throughput: CONCURRENCY calls in flight on one session.
async function throughput(path: (typeof paths)[number]): Promise<number> {
  let left = THROUGHPUT_CALLS;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await call(path);
    }),
  );
  return THROUGHPUT_CALLS / ((performance.now() - t) / 1000);
}
const rates: number[] = [];
for (const path of paths) rates.push(await throughput(path));

const report = {
  calls: CALLS,
  throughput_calls: THROUGHPUT_CALLS,
  concurrency: CONCURRENCY,
  paths: paths.map((path, index) => ({
    name: path.name,
    p50_ms: ms(percentile(times[index]!, 50)),
    p90_ms: ms(percentile(times[index]!, 90)),
    p99_ms: ms(percentile(times[index]!, 99)),
    calls_per_s: Math.round(rates[index]!),
  })),
};

for (const path of paths) await path.client.close().catch(() => {});
for (const child of children) child.kill("SIGTERM");
await Promise.all(children.map((child) => child.exited));
rmSync(home, { recursive: true, force: true });

if (values.json) {
  console.log(JSON.stringify(report, null, 2));
} else {
  const [sg, hg, chain, modern] = report.paths as [
    (typeof report.paths)[0],
    (typeof report.paths)[0],
    (typeof report.paths)[0],
    (typeof report.paths)[0],
  ];
  const pad = (text: string | number, width: number) => String(text).padStart(width);
  console.log(
    `hangar HTTP benchmark — bun ${Bun.version}, ${process.platform}-${process.arch}; echo on the demo provider`,
  );
  console.log(`latency, one call at a time (${CALLS} calls each, ms):`);
  console.log(
    `        ${pad("supergateway", 13)} ${pad("hangar", 9)} ${pad("ratio", 7)} ${pad("hangar→sg", 10)} ${pad("hop adds", 9)} ${pad("hangar 2026", 12)}`,
  );
  for (const p of ["p50", "p90", "p99"] as const) {
    const key = `${p}_ms` as const;
    console.log(
      `  ${p}   ${pad(sg[key].toFixed(3), 13)} ${pad(hg[key].toFixed(3), 9)} ${pad((hg[key] / sg[key]).toFixed(2), 7)} ${pad(chain[key].toFixed(3), 10)} ${pad((chain[key] - sg[key]).toFixed(3), 9)} ${pad(modern[key].toFixed(3), 12)}`,
    );
  }
  console.log(`throughput, ${CONCURRENCY} calls in flight on one session (${THROUGHPUT_CALLS} calls, calls/s):`);
  console.log(
    `        ${pad(sg.calls_per_s, 13)} ${pad(hg.calls_per_s, 9)} ${pad((hg.calls_per_s / sg.calls_per_s).toFixed(2), 7)} ${pad(chain.calls_per_s, 10)} ${pad("", 9)} ${pad(modern.calls_per_s, 12)}`,
  );
}
