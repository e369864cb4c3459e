// The JavaScript of `hangar serve --http` per pass-through call, in process: `createHttpApp` (as `serve
// --http` builds it: logs at info, metrics on) over a Gateway whose provider answers `tools/call` in a
// microtask (bench/instant-provider.ts), a 2025 session's `tools/call` POSTed to its `fetch` as Bun.serve
// hands requests over. Beside it, in the same run, the floor: a `fetch` that reads and parses the body and
// answers a fixed JSON-RPC result (what building the requests and reading the answers costs this script).
// No sockets, pipes or provider process: what hangar adds over the floor is its own JavaScript, steadier
// on a busy machine than `bench/http.ts`'s wall-clock. Each run is a fresh process (`--runs` of each,
// alternating), so that Bun's JIT meets the call path as a new front does: `--warmup` calls, then the
// CPU time per call over `--calls` (the whole process, JIT threads included; the defaults are the window
// `bench/http.ts`'s rounds meet). `--allocations` prints what 100 calls leave on the heap, by type,
// instead (`bun:jsc` heapStats, no collection between; the floor's share included).
//
//   bun run bench/hop-http.ts [--runs 8] [--warmup 600] [--calls 2500] [--allocations] [--json]
import { openSync } from "node:fs";
import { parseArgs } from "node:util";
import { Gateway } from "../src/gateway/index.ts";
import { Hangar } from "../src/lib/hangar.ts";
import { createLogger } from "../src/observability/log.ts";
import { openObservability } from "../src/observability/open-observability.ts";
import { createHttpApp } from "../src/serve/http/index.ts";
import { InFlight } from "../src/serve/in-flight.ts";
import { instantDriver } from "./instant-provider.ts";
import { benchConfig, benchProvider } from "./stats.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "8" },
    warmup: { type: "string", default: "600" },
    calls: { type: "string", default: "2500" },
    allocations: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    child: { type: "string" },
  },
});
const WARMUP = Number(values.warmup);
const CALLS = Number(values.calls);

/** One front's `fetch`, and what ends it. */
interface Front {
  fetch(request: Request): Response | Promise<Response>;
  close(): Promise<void>;
}

/** Hangar's HTTP front as `serve --http` builds it, over the instant provider "p0". */
async function hangarFront(): Promise<Front> {
  const logger = createLogger({ level: "info", pretty: false, sync: false, fd: openSync("/dev/null", "w") });
  const observability = await openObservability({ logger, metrics: true, env: {} });
  const gateway = new Gateway(benchConfig([benchProvider("p0", ["unused"])]), {
    driverFor: () => instantDriver,
    recorder: observability.recorder,
    logger,
  });
  observability.watch(gateway);
  const hangar = Hangar.over(gateway, logger);
  const http = createHttpApp(
    { hangar, logger },
    { host: "127.0.0.1", port: () => 8000, ...(observability.metrics ? { metrics: observability.metrics } : {}) },
  );
  // As serve-http.ts serves it: each POST counted in flight (no server here: no idle timeout to lift).
  const inFlight = new InFlight();
  return {
    fetch: (request) => inFlight.track(() => http.fetch(request)),
    close: async () => {
      await http.sessions.close();
      await hangar.close();
    },
  };
}

/** The floor: the body read and parsed, a fixed answer built and sent. */
function floorFront(): Front {
  let session = 0;
  return {
    fetch: async (request) => {
      const body = JSON.parse(await request.text()) as { id?: unknown; method?: string };
      if (body.method === "initialize")
        return Response.json(
          { jsonrpc: "2.0", id: body.id, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} } } },
          { headers: { "mcp-session-id": `floor-${++session}` } },
        );
      if (body.id === undefined) return new Response(null, { status: 202 });
      return Response.json({ jsonrpc: "2.0", id: body.id, result: { content: [{ type: "text", text: "x" }] } });
    },
    close: async () => {},
  };
}

/** Runs one front in this process; prints `{ cpu }` (µs per call) or `{ allocations }` as JSON. */
async function child(kind: string): Promise<void> {
  const front = kind === "hangar" ? await hangarFront() : floorFront();
  const post = (body: unknown, session?: string) => {
    const text = JSON.stringify(body);
    return front.fetch(
      new Request("http://127.0.0.1:8000/mcp", {
        method: "POST",
        body: text,
        headers: {
          host: "127.0.0.1:8000",
          accept: "application/json, text/event-stream",
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(text)),
          ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {}),
        },
      }),
    );
  };
  const opened = await post({
    jsonrpc: "2.0",
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  });
  const session = opened.headers.get("mcp-session-id") ?? undefined;
  await opened.text();
  await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, session)).text();
  let id = 1;
  const call = async () => {
    const response = await post(
      { jsonrpc: "2.0", id: id++, method: "tools/call", params: { name: "p0__echo", arguments: { message: "x" } } },
      session,
    );
    const text = await response.text();
    if (!text.includes('"text":"x"')) throw new Error(`not the echo's answer: ${text.slice(0, 200)}`);
  };
  for (let i = 0; i < WARMUP; i++) await call();
  if (values.allocations) {
    const { heapStats } = await import("bun:jsc");
    Bun.gc(true);
    const before = heapStats().objectTypeCounts;
    for (let i = 0; i < 100; i++) await call();
    const after = heapStats().objectTypeCounts;
    const allocations: Record<string, number> = {};
    for (const type of Object.keys(after)) {
      const made = (after[type] ?? 0) - (before[type] ?? 0);
      if (made >= 50) allocations[type] = made / 100;
    }
    console.log(JSON.stringify({ allocations }));
  } else {
    const before = process.cpuUsage();
    for (let i = 0; i < CALLS; i++) await call();
    const used = process.cpuUsage(before);
    console.log(JSON.stringify({ cpu: Math.round(((used.user + used.system) / CALLS) * 10) / 10 }));
  }
  await front.close();
}

/** Runs `kind` in a fresh process and returns what it printed. */
async function fresh(kind: string): Promise<{ cpu?: number; allocations?: Record<string, number> }> {
  const argv = [
    process.execPath,
    import.meta.path,
    "--child",
    kind,
    "--warmup",
    String(WARMUP),
    "--calls",
    String(CALLS),
  ];
  const run = Bun.spawn(values.allocations ? [...argv, "--allocations"] : argv, { stdout: "pipe", stderr: "inherit" });
  const [out, code] = await Promise.all([new Response(run.stdout).text(), run.exited]);
  if (code !== 0) throw new Error(`the ${kind} run exited with ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (values.child !== undefined) {
  await child(values.child);
  process.exit(0);
}
if (values.allocations) {
  const [hangar, floor] = [await fresh("hangar"), await fresh("floor")];
  if (values.json) console.log(JSON.stringify({ hangar: hangar.allocations, floor: floor.allocations }));
  else {
    console.log(`What 100 calls leave on the heap, per call, after ${WARMUP} (bun ${Bun.version}): hangar (floor)`);
    for (const [type, count] of Object.entries(hangar.allocations ?? {}).sort((a, b) => b[1] - a[1]))
      console.log(
        `  ${type.padEnd(24)} ${count.toFixed(1).padStart(6)} (${(floor.allocations?.[type] ?? 0).toFixed(1)})`,
      );
  }
} else {
  const runs = Number(values.runs);
  const hangar: number[] = [];
  const floor: number[] = [];
  for (let run = 0; run < runs; run++) {
    hangar.push((await fresh("hangar")).cpu!);
    floor.push((await fresh("floor")).cpu!);
  }
  const added = Math.round((median(hangar) - median(floor)) * 10) / 10;
  if (values.json)
    console.log(JSON.stringify({ hangar, floor, median: { hangar: median(hangar), floor: median(floor) }, added }));
  else {
    console.log(
      `CPU µs per call over calls ${WARMUP + 1}–${WARMUP + CALLS} of a fresh process, ${runs} runs each (bun ${Bun.version})`,
    );
    console.log(`  hangar serve --http's front: ${hangar.join(", ")}; median ${median(hangar)}`);
    console.log(`  floor (body parsed, answer built): ${floor.join(", ")}; median ${median(floor)}`);
    console.log(`  added by hangar: ${added} µs per call`);
  }
}
