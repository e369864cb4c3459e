// The size of `tools/list` that a client puts in a model's context, in bytes and in tokens (o200k_base,
// the GPT-4o/GPT-5 encoding, via gpt-tokenizer), for one config of the reference servers (everything,
// filesystem, memory) and the two demo providers: every provider exposed (the default) beside the same
// config made search-only with `defaults: {expose: false}`, and what a `hangar_tools {query}` answer costs
// a model that searches instead.
//
// --copies N configures every provider N times (ids with a number), to see the figures at N × 5 servers.
//
//   bun run bench/tools-size.ts [--copies 1] [--json]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { hangarArgv, ROOT } from "./stats.ts";

const { values } = parseArgs({
  options: { copies: { type: "string", default: "1" }, json: { type: "boolean", default: false } },
});
const COPIES = Number(values.copies);
const hangar = hangarArgv();
const home = mkdtempSync(join(tmpdir(), "hangar-bench-tools-size-"));
const files = join(home, "files");
mkdirSync(files);
const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;

const reference = (pkg: string) => [
  process.execPath,
  join(ROOT, "node_modules/@modelcontextprotocol", pkg, "dist/index.js"),
];
const providers = Array.from({ length: COPIES }, (_, i) => (COPIES === 1 ? "" : String(i + 1))).flatMap((n) => [
  { id: `everything${n}`, command: reference("server-everything") },
  { id: `files${n}`, command: [...reference("server-filesystem"), files] },
  { id: `memory${n}`, command: reference("server-memory"), env: { MEMORY_FILE_PATH: join(home, `memory${n}.json`) } },
  { id: `demo${n}`, command: [...hangar, "demo-provider", "--name", `demo${n}`] },
  { id: n ? `demo${n}-2` : "demo2", command: [...hangar, "demo-provider", "--name", n ? `demo${n}-2` : "demo2"] },
]);

/** Queries a model might search with; the answer sizes are averaged over them. */
const QUERIES = ["read a file", "remember a fact about a person", "add two numbers", "list a folder's contents"];

/** Bytes (UTF-8) and o200k_base tokens of a value's JSON. */
function size(value: unknown): { bytes: number; tokens: number } {
  const json = JSON.stringify(value);
  return { bytes: Buffer.byteLength(json), tokens: countTokens(json) };
}

async function measure(name: string, defaults: string) {
  const config = join(home, `${name}.yaml`);
  writeFileSync(config, `${defaults}providers:\n${providers.map((p) => `  - ${JSON.stringify(p)}\n`).join("")}`);
  const client = new Client({ name: "bench-tools-size", version: "1.0.0" });
  await client.connect(
    new StdioClientTransport({
      command: hangar[0]!,
      args: [...hangar.slice(1), "serve", "--config", config],
      env,
      stderr: "ignore",
    }),
  );
  try {
    // Listing everything starts each provider once, so every catalog is known before measuring.
    const all = await client.callTool({ name: "hangar_tools", arguments: {} });
    const catalog = (all.structuredContent as { providers: { tools: unknown[] }[] }).providers;
    const { tools } = await client.listTools();
    const searches = [];
    for (const limit of [10, 3]) {
      const answers = await Promise.all(
        QUERIES.map((query) => client.callTool({ name: "hangar_tools", arguments: { query, limit } })),
      );
      const sizes = answers.map((answer) => size(answer.structuredContent));
      searches.push({
        limit,
        bytes: Math.round(sizes.reduce((sum, s) => sum + s.bytes, 0) / sizes.length),
        tokens: Math.round(sizes.reduce((sum, s) => sum + s.tokens, 0) / sizes.length),
      });
    }
    return {
      config: name,
      providers: catalog.length,
      provider_tools: catalog.reduce((sum, p) => sum + p.tools.length, 0),
      listed_tools: tools.length,
      tools_list: size(tools),
      searches,
    };
  } finally {
    await client.close();
  }
}

try {
  const exposed = await measure("exposed", "");
  const searchOnly = await measure("search-only", "defaults: {expose: false}\n");
  if (values.json) {
    console.log(JSON.stringify({ exposed, search_only: searchOnly }, null, 2));
  } else {
    const saved = 1 - searchOnly.tools_list.tokens / exposed.tools_list.tokens;
    console.log(
      `${exposed.providers} providers, ${exposed.provider_tools} provider tools; tools/list as JSON, o200k_base tokens\n`,
    );
    console.log("| config | tools listed | bytes | tokens |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const r of [exposed, searchOnly])
      console.log(`| ${r.config} | ${r.listed_tools} | ${r.tools_list.bytes} | ${r.tools_list.tokens} |`);
    console.log(`\nsearch-only lists ${(saved * 100).toFixed(1)}% fewer tokens`);
    console.log(`\nhangar_tools {query} answer, mean over ${QUERIES.length} queries (search-only config):\n`);
    console.log("| limit | bytes | tokens |");
    console.log("| ---: | ---: | ---: |");
    for (const s of searchOnly.searches) console.log(`| ${s.limit} | ${s.bytes} | ${s.tokens} |`);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
