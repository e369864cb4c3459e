// The JavaScript Hangar runs for one pass-through call, without any I/O: the stdio fast route
// (FastRouteTransport) over an in-memory client side, `Gateway.callOne` with every policy, and the raw
// channel to a provider whose `tools/call` answers come back in a microtask from this process (the
// handshake and catalog come from a real demo server, served as over stdio in the 2026-07-28 era, over
// the SDK's InMemoryTransport). No pipes, no
// syscalls, no JSON text on either side: what is left is the CPU of Hangar's own logic per call, steady
// from run to run on a busy machine (where the CPU of a whole `hangar serve` swings with how many
// messages each read and write carries). `--calls` calls with `--concurrency` in flight, `--rounds`
// times; prints the CPU µs per call of each round, their median and the least (the steadiest figure
// when other processes share the cores). The CPU is the whole process's, so the JIT compiler's threads
// count: `--warmup 600 --calls 2500 --rounds 1 --concurrency 1 --metrics` measures a call while Bun still
// compiles the path (what `bench/http.ts` rounds meet), `--metrics` recording into Prometheus metrics as
// `serve --http` does.
//
//   bun run bench/hop-js.ts [--calls 50000] [--concurrency 64] [--rounds 5] [--warmup 20000] [--metrics] [--json]
import { parseArgs } from "node:util";
import type { Transport } from "@modelcontextprotocol/client";
import type { Server } from "@modelcontextprotocol/server";
import { Gateway } from "../src/gateway/index.ts";
import { silentLogger } from "../src/observability/log.ts";
import { createMetrics } from "../src/observability/metrics.ts";
import { FastRouteTransport } from "../src/serve/fast-route-transport.ts";
import type { FrontDeps } from "../src/serve/front-deps.ts";
import { instantDriver } from "./instant-provider.ts";
import { benchConfig, benchProvider } from "./stats.ts";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "50000" },
    concurrency: { type: "string", default: "64" },
    rounds: { type: "string", default: "5" },
    warmup: { type: "string", default: "20000" },
    metrics: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const CALLS = Number(values.calls);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);

const metrics = values.metrics ? createMetrics({ processMetrics: false }) : undefined;
await using gateway = new Gateway(benchConfig([benchProvider("p0", ["unused"])]), {
  driverFor: () => instantDriver,
  ...(metrics ? { recorder: metrics.recorder } : {}),
});
metrics?.watch(gateway);
const deps = {
  hangar: { gateway, catalog: { exposed: { resolveTool: () => ({ providerId: "p0", name: "echo" }) } } },
  logger: silentLogger,
} as unknown as FrontDeps;

/** The client's side: answers come back through `send`, each to the caller waiting for its id. */
const waiting = new Map<number, () => void>();
const clientSide: Transport = {
  start: async () => {},
  send: async (message) => {
    if ("id" in message && typeof message.id === "number") waiting.get(message.id)?.();
  },
  close: async () => {},
};
const front = new FastRouteTransport(clientSide, deps);
// A 2025 client that initialized (the fast route takes its calls once it has).
const server = {
  getClientVersion: () => ({ name: "bench", version: "1" }),
  projectCallToolResult: (result: unknown) => result,
} as unknown as Server;
front.use(server, "legacy");
front.onmessage = () => {};
clientSide.onmessage?.({ jsonrpc: "2.0", method: "notifications/initialized" });

let nextId = 0;
const call = () =>
  new Promise<void>((resolve) => {
    const id = ++nextId;
    waiting.set(id, () => {
      waiting.delete(id);
      resolve();
    });
    clientSide.onmessage?.({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name: "p0__echo", arguments: { message: "x" } },
    });
  });
const run = async (count: number) => {
  let next = 0;
  const worker = async () => {
    while (next++ < count) await call();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
};

await run(Number(values.warmup));
if (gateway.handles.get("p0")?.stats.calls === 0) throw new Error("the calls did not reach the provider");
const rounds: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  Bun.gc(true);
  const before = process.cpuUsage();
  await run(CALLS);
  const used = process.cpuUsage(before);
  rounds.push(Math.round(((used.user + used.system) / CALLS) * 100) / 100);
}
const median = [...rounds].sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
const least = Math.min(...rounds);
if (values.json) console.log(JSON.stringify({ rounds, median, least }));
else {
  console.log(
    `Hangar's JS per pass-through call (fast route + callOne + raw channel, no I/O), ${CALLS} calls, ${CONCURRENCY} in flight, after ${values.warmup}${values.metrics ? ", metrics on" : ""} — bun ${Bun.version}`,
  );
  console.log(`  CPU µs per call by round: ${rounds.join(", ")}; median ${median}, least ${least}`);
}
