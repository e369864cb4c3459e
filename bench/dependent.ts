// Dependent calls and trimmed results (issue 14), through `hangar serve` over stdio with an SDK client:
// (a) a 3-step workflow where each step needs a value from the one before, as ONE hangar_call with
//     `$hangar.ref`s vs three tool calls one after another (the client reading each answer to write the
//     next call, as a model would); wall time, and the round trips a model would make;
// (b) the size of a 200-call hangar_call answer without limits, with the MCP default cap, with
//     `select`, and with a per-call `max_result_bytes`.
//
//   bun run bench/dependent.ts [--runs 30] [--step-ms 50] [--model-ms 2000] [--calls 200] [--json]
//
// The provider is tests/fixtures/json-server.ts: `json` answers with the value it is given after
// `delay_ms` (structuredContent, or JSON text only with `as: "text"`). --model-ms is an assumed time for
// one model turn, only used to show what the saved round trips are worth; it is not measured.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { hangarArgv, ROOT, summary } from "./stats.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "30" },
    "step-ms": { type: "string", default: "50" },
    "model-ms": { type: "string", default: "2000" },
    calls: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const STEP_MS = Number(values["step-ms"]);
const MODEL_MS = Number(values["model-ms"]);
const CALLS = Number(values.calls);

const home = mkdtempSync(join(tmpdir(), "hangar-bench-dependent-"));
const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;
const config = join(home, "hangar.yaml");
const provider = {
  id: "j",
  command: [process.execPath, join(ROOT, "tests/fixtures/json-server.ts")],
  idle_ttl_s: 0,
  max_concurrency: 64,
};
writeFileSync(config, `providers:\n  - ${JSON.stringify(provider)}\n`);
const hangar = hangarArgv();
const client = new Client({ name: "bench-dependent", version: "1" });
await client.connect(
  new StdioClientTransport({
    command: hangar[0]!,
    args: [...hangar.slice(1), "serve", "--config", config],
    env,
    stderr: "ignore",
  }),
);

const ref = (text: string) => ({ "$hangar.ref": text });
const search = {
  items: [
    { id: "repo-7", name: "hangar" },
    { id: "repo-8", name: "other" },
  ],
  total: 2,
};
const call = async (name: string, args: Record<string, unknown>) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult;
const textJson = (result: CallToolResult) => JSON.parse((result.content[0] as { text: string }).text);

/** The workflow as one hangar_call: step 2 and 3 read the step before with `$hangar.ref`. */
async function oneBatch(): Promise<unknown> {
  const result = await call("hangar_call", {
    calls: [
      { id: "s", provider: "j", tool: "json", arguments: { value: search, delay_ms: STEP_MS } },
      {
        id: "r",
        provider: "j",
        tool: "json",
        arguments: { value: { owner: { login: ref("s#/items/0/id") } }, delay_ms: STEP_MS, as: "text" },
      },
      { provider: "j", tool: "json", arguments: { value: { hello: ref("r#/owner/login") }, delay_ms: STEP_MS } },
    ],
  });
  const batch = result.structuredContent as { ok: boolean; results: { result: CallToolResult }[] };
  if (!batch.ok) throw new Error(`the batch failed: ${JSON.stringify(batch)}`);
  return batch.results[2]!.result.structuredContent;
}

/** The same workflow as three tool calls (the pass-through tool j__json), each written from the last answer. */
async function threeCalls(): Promise<unknown> {
  const first = await call("j__json", { value: search, delay_ms: STEP_MS });
  const id = (first.structuredContent as typeof search).items[0]!.id;
  const second = await call("j__json", { value: { owner: { login: id } }, delay_ms: STEP_MS, as: "text" });
  const login = textJson(second).owner.login as string;
  const third = await call("j__json", { value: { hello: login }, delay_ms: STEP_MS });
  return third.structuredContent;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const out = (await fn()) as { hello?: string };
  if (out.hello !== "repo-7") throw new Error(`wrong answer: ${JSON.stringify(out)}`);
  return performance.now() - start;
}

/** (a): warm-up, then RUNS of each, interleaved. */
async function workflow() {
  for (let i = 0; i < 3; i++) await Promise.all([timed(oneBatch), timed(threeCalls)]);
  const batched: number[] = [];
  const sequential: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    batched.push(await timed(oneBatch));
    sequential.push(await timed(threeCalls));
  }
  return { runs: RUNS, stepMs: STEP_MS, batched: summary(batched), sequential: summary(sequential) };
}

/** A record of ~3 KB as JSON: 20 items with a description each. */
const record = {
  total: 20,
  items: Array.from({ length: 20 }, (_, i) => ({
    id: i,
    name: `package-${i}`,
    description: `A package that does thing number ${i}, with a description long enough to be realistic.`,
    url: `https://example.com/packages/package-${i}`,
  })),
};

/** (b): the bytes of a CALLS-call hangar_call answer (its text content; structuredContent holds the same JSON). */
async function sizes() {
  const batch = (extra: Record<string, unknown>, perCall: Record<string, unknown> = {}) =>
    call("hangar_call", {
      calls: Array.from({ length: CALLS }, () => ({
        provider: "j",
        tool: "json",
        arguments: { value: record },
        ...perCall,
      })),
      ...extra,
    });
  const bytes = (result: CallToolResult) => Buffer.byteLength((result.content[0] as { text: string }).text);
  return {
    calls: CALLS,
    untouched: bytes(await batch({ max_result_bytes: 0 })),
    mcpDefault: bytes(await batch({})),
    select: bytes(await batch({}, { select: ["/total", "/items/0/name"] })),
    perCall200: bytes(await batch({}, { max_result_bytes: 200 })),
  };
}

try {
  const a = await workflow();
  const b = await sizes();
  if (values.json) console.log(JSON.stringify({ workflow: a, sizes: b }, null, 2));
  else {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`.padStart(10);
    console.log(`hangar dependent calls — bun ${Bun.version}, ${process.platform}-${process.arch}\n`);
    console.log(`(a) 3-step dependent workflow, each step ${STEP_MS} ms, ${RUNS} runs each (ms)`);
    console.log("                                  p50       p90       p99   round trips");
    const row = (label: string, s: { p50: number; p90: number; p99: number }, trips: number) =>
      console.log(
        `  ${label.padEnd(30)}${[s.p50, s.p90, s.p99].map((v) => v.toFixed(1).padStart(8)).join("  ")}   ${trips}`,
      );
    row("one hangar_call ($hangar.ref)", a.batched, 1);
    row("three calls, one after another", a.sequential, 3);
    console.log(
      `  with an assumed model turn of ${MODEL_MS} ms per round trip: ${(a.batched.p50 + MODEL_MS).toFixed(0)} vs ${(a.sequential.p50 + 3 * MODEL_MS).toFixed(0)} ms (p50)`,
    );
    console.log(`\n(b) a ${b.calls}-call hangar_call answer (~3 KB per result), bytes of its text`);
    console.log(`  no limit (max_result_bytes: 0)          ${kb(b.untouched)}`);
    console.log(`  MCP default (48 KiB shared)             ${kb(b.mcpDefault)}`);
    console.log(`  select ["/total", "/items/0/name"]      ${kb(b.select)}`);
    console.log(`  max_result_bytes: 200 per call          ${kb(b.perCall200)}`);
  }
} finally {
  await client.close();
  rmSync(home, { recursive: true, force: true });
}
