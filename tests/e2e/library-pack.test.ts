// Issue 19: the npm package as a user gets it. `npm pack` (its prepack builds dist/lib), the tarball
// installed into a fresh project that has nothing else, then one batch across the demo providers and
// server-memory under plain `node` (ESM), Bun and Deno, and a TypeScript example type-checked by tsc.
// Offline: the tarball's dependencies come from a registry on 127.0.0.1 that serves the project's own
// node_modules (tests/helpers/local-registry.ts), with a fresh npm cache; nothing is fetched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findDeno } from "../helpers/deno.ts";
import { serveNodeModules } from "../helpers/local-registry.ts";
import { ROOT } from "../helpers/paths.ts";
import { outputOf } from "../helpers/processes.ts";

const MEMORY_SERVER = join(ROOT, "node_modules/@modelcontextprotocol/server-memory/dist/index.js");

/** The consumer's program, plain ESM (no `await using`: Node 20 cannot parse it). */
const MAIN = `import { Hangar, demoServers } from "hangar";

const hangar = await Hangar.open({
  mcpServers: {
    ...demoServers(),
    memory: { command: "node", args: [${JSON.stringify(MEMORY_SERVER)}], env: { MEMORY_FILE_PATH: process.argv[2] } },
  },
});
let pids = [];
try {
  const batch = await hangar.call([
    { provider: "demo", tool: "sleep", arguments: { ms: 100 } },
    { provider: "demo2", tool: "echo", arguments: { message: "hello from demo2" } },
    { provider: "memory", tool: "create_entities", arguments: { entities: [{ name: "pack", entityType: "test", observations: ["installed"] }] } },
    { provider: "demo", tool: "fail" },
  ]);
  const graph = await hangar.callTool("memory", "read_graph");
  const found = await hangar.tools({ query: "add two numbers", limit: 1 });
  pids = hangar.status().providers.map((p) => p.pid).filter((pid) => pid !== undefined);
  console.log(JSON.stringify({
    ok: batch.results.map((r) => r.ok),
    errors: batch.results.map((r) => r.error?.type ?? null),
    echo: batch.results[1].result.content[0].text,
    graph: JSON.stringify(graph).includes("installed"),
    found: found.map((t) => t.provider + "/" + t.name),
    providers: pids.length,
  }));
} finally {
  await hangar.close();
}
const alive = pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
console.log(JSON.stringify({ alive }));
`;

/** The adapters from the package under plain node: each framework's tool objects, executed directly. */
const ADAPTERS = `import { Hangar, demoServers } from "hangar";
import { hangarTools as aiSdkTools } from "hangar/ai-sdk";
import { hangarTools as langchainTools } from "hangar/langchain";

const hangar = await Hangar.open({ mcpServers: demoServers() });
try {
  const ai = await aiSdkTools(hangar);
  const lc = await langchainTools(hangar);
  const viaAi = await ai.demo__add.execute({ a: 2, b: 3 }, { toolCallId: "1", messages: [], context: {} });
  const viaLc = await lc.find((t) => t.name === "demo2__echo").invoke({ message: "from langchain" });
  const batch = JSON.parse(await lc.find((t) => t.name === "hangar_call").invoke({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "b" } }] }));
  console.log(JSON.stringify({ ai: viaAi.structuredContent, lc: viaLc, batch: batch.ok, names: Object.keys(ai).length === lc.length }));
} finally {
  await hangar.close();
}
`;

/** The README's example as TypeScript, for tsc: `await using` and the public types. */
const EXAMPLE_TS = `import { Hangar, type BatchResult, type CallResult, CallError, demoServers } from "hangar";

await using hangar = await Hangar.open({ mcpServers: { ...demoServers(), memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] } } });
const batch: BatchResult = await hangar.call(
  [
    { provider: "demo", tool: "sleep", arguments: { ms: 100 } },
    { provider: "memory", tool: "read_graph", timeout_s: 10 },
  ],
  { signal: AbortSignal.timeout(30_000), onProgress: (index, progress) => console.log(index, progress.progress) },
);
for await (const result of hangar.stream({ calls: [{ provider: "demo2", tool: "echo", arguments: { message: "hi" } }], fail_fast: true })) {
  const settled: CallResult = result;
  console.log(settled.ok ? settled.result?.content[0]?.text : settled.error?.type);
}
try {
  const answer = await hangar.callTool("demo", "add", { a: 1, b: 2 }, { timeoutMs: 5_000 });
  console.log(answer.structuredContent, batch.ok);
} catch (error) {
  if (error instanceof CallError) console.log(error.type, error.retryable);
}
const tools = await hangar.tools({ query: "knowledge graph" });
console.log(tools.map((t) => t.exposed_as), hangar.status().providers.map((p) => p.state));
// @ts-expect-error: a call needs its tool
await hangar.call([{ provider: "demo" }]);
`;

/** `ai` and `@langchain/core` at the exact versions of the project's devDependencies. */
function frameworks(): string[] {
  const { devDependencies } = require(join(ROOT, "package.json")) as { devDependencies: Record<string, string> };
  return ["ai", "@langchain/core"].map((name) => `${name}@${devDependencies[name]}`);
}

let project = "";
let tarball = "";
const deno = findDeno();
const registry = serveNodeModules(join(ROOT, "node_modules"));

/**
 * `npm install` of `specs` in the project, from the local registry with the run's own npm cache. Optional
 * peers of dependencies that node_modules lacks (langsmith's openai…) are asked for and skipped by npm;
 * anything required and missing fails the install.
 */
async function npmInstall(specs: string[]): Promise<void> {
  await using install = Bun.spawn(
    ["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--registry", registry.url, ...specs],
    {
      cwd: project,
      env: {
        ...process.env,
        npm_config_cache: join(project, "..", "npm-cache"),
        npm_config_update_notifier: "false",
        npm_config_userconfig: join(project, "..", "npmrc"),
      },
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const { code, stderr } = await outputOf(install);
  expect({ code, stderr: code === 0 ? "" : stderr }).toEqual({ code: 0, stderr: "" });
}

beforeAll(async () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "hangar-pack-")));
  project = join(root, "app");
  mkdirSync(project);
  // npm pack runs prepack (scripts/build-lib.sh); the tarball lands in the temp directory.
  await using pack = Bun.spawn(["npm", "pack", "--pack-destination", root], {
    cwd: ROOT,
    env: { ...process.env, npm_config_update_notifier: "false" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const packed = await outputOf(pack);
  expect({ code: packed.code, stderr: packed.code === 0 ? "" : packed.stderr }).toEqual({ code: 0, stderr: "" });
  tarball = join(root, readdirSync(root).find((name) => name.endsWith(".tgz"))!);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  await npmInstall([tarball]);
  writeFileSync(join(project, "main.mjs"), MAIN);
  writeFileSync(join(project, "adapters.mjs"), ADAPTERS);
  writeFileSync(join(project, "example.ts"), EXAMPLE_TS);
}, 480_000);

afterAll(async () => {
  await registry.stop();
  if (project) rmSync(join(project, ".."), { recursive: true, force: true });
});

/** Runs `argv` in the project; its stdout's two JSON lines: the batch's outcome, then processes left. */
async function runApp(argv: string[], env: Record<string, string> = {}) {
  const memoryFile = join(project, `memory-${argv[0]!.split("/").at(-1)}.jsonl`);
  await using proc = Bun.spawn([...argv, memoryFile], {
    cwd: project,
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const { stdout, stderr, code } = await outputOf(proc);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  const [outcome, left] = stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  return { outcome, left };
}

const EXPECTED = {
  ok: [true, true, true, false],
  errors: [null, null, null, "tool_error"],
  echo: "hello from demo2",
  graph: true,
  found: ["demo/add"],
  providers: 3,
};

describe("The packed npm package in a fresh project", () => {
  test("contains the library, its types and its demo provider, and lists no dev dependency", async () => {
    const listing = Bun.spawnSync(["tar", "tzf", tarball]).stdout.toString().split("\n");
    for (const file of ["index.js", "ai-sdk.js", "langchain.js", "demo-provider.js", "types/lib/index.d.ts"])
      expect(listing).toContain(`package/dist/lib/${file}`);
    const manifest = await Bun.file(join(project, "node_modules/hangar/package.json")).json();
    expect(Object.keys(manifest.exports)).toEqual([".", "./ai-sdk", "./langchain", "./package.json"]);
    expect(manifest.private).toBeUndefined();
    const installed = readdirSync(join(project, "node_modules"));
    for (const dev of ["ai", "@langchain", "typescript", "@biomejs", "deno"]) expect(installed).not.toContain(dev);
  });

  test("runs a batch across the demo providers and server-memory under plain node (ESM)", async () => {
    const { outcome, left } = await runApp(["node", "main.mjs"]);
    expect(outcome).toEqual(EXPECTED);
    expect(left).toEqual({ alive: [] });
  }, 60_000);

  test("runs the same batch under Bun", async () => {
    const { outcome, left } = await runApp([process.execPath, "main.mjs"]);
    expect(outcome).toEqual(EXPECTED);
    expect(left).toEqual({ alive: [] });
  }, 60_000);

  test.skipIf("reason" in deno)(
    "runs the same batch under Deno (demo providers started by Deno too)",
    async () => {
      const path = (deno as { path: string }).path;
      const { outcome, left } = await runApp([path, "run", "-A", "main.mjs"], {
        // A registry that cannot answer: Deno must use the project's node_modules and fetch nothing.
        NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/",
        DENO_NO_UPDATE_CHECK: "1",
      });
      expect(outcome).toEqual(EXPECTED);
      expect(left).toEqual({ alive: [] });
    },
    60_000,
  );

  test("type-checks a TypeScript example against the package's declarations with tsc", async () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "nodenext",
          moduleResolution: "nodenext",
          lib: ["ESNext", "DOM"],
          types: [],
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ["example.ts"],
      }),
    );
    await using tsc = Bun.spawn([join(ROOT, "node_modules/.bin/tsc"), "-p", "tsconfig.json"], {
      cwd: project,
      stdout: "pipe",
      stderr: "pipe",
    });
    const { stdout, stderr, code } = await outputOf(tsc);
    expect({ code, out: `${stdout}${stderr}` }).toEqual({ code: 0, out: "" });
  }, 60_000);

  // Last: it adds the adapters' frameworks, at the versions the project tests with, to the project.
  test("runs the AI SDK and LangChain adapters from the package under plain node", async () => {
    await npmInstall(frameworks());
    await using proc = Bun.spawn(["node", "adapters.mjs"], { cwd: project, stdout: "pipe", stderr: "pipe" });
    const { stdout, stderr, code } = await outputOf(proc);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(stdout)).toEqual({ ai: { sum: 5 }, lc: "from langchain", batch: true, names: true });
  }, 300_000);
});
