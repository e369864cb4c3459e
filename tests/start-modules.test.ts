// Issue 11 (start in milliseconds): a command loads the libraries its own work needs and no others.
// Checked on the modules Bun has loaded once the command is done, running the CLI from source.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Sandbox, sandbox } from "./helpers/e2e.ts";
import { BUN, ROOT } from "./helpers/paths.ts";

const TIMEOUT_MS = 30_000;

/** The packages (`node_modules/<name>`) whose modules were loaded by `hangar <args…>` fed `stdin` (in `shared`, else its own sandbox). */
async function loadedPackages(args: string[], stdin = "", shared?: Sandbox): Promise<Set<string>> {
  const files = await loadedFiles(args, stdin, shared);
  const names = files.map((file) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]);
  return new Set(names.filter((name): name is string => name !== undefined));
}

/** The files of the modules loaded by `hangar <args…>` fed `stdin` (in `shared`, else its own sandbox). */
async function loadedFiles(args: string[], stdin = "", shared?: Sandbox): Promise<string[]> {
  using own = shared ? undefined : sandbox();
  const box = shared ?? own!;
  const out = join(box.root, "loaded.json");
  const proc = Bun.spawn([BUN, join(ROOT, "tests/fixtures/loaded-modules.ts"), ...args], {
    ...box.options({ LOADED_MODULES_OUT: out }),
    stdin: new Blob([stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  expect({ code, stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(stdout).not.toBe("");
  return JSON.parse(readFileSync(out, "utf8")) as string[];
}

const LIST = [
  {
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "1" } },
  },
  { method: "notifications/initialized" },
  { id: 2, method: "tools/list" },
]
  .map((message) => `${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
  .join("");

describe("what a start loads (issue 11)", () => {
  test(
    "hangar --version loads commander and none of the MCP SDK, zod, yaml or the HTTP server",
    async () => {
      const loaded = await loadedPackages(["--version"]);
      expect(loaded).toContain("commander");
      for (const name of [
        "@modelcontextprotocol/client",
        "@modelcontextprotocol/server",
        "zod",
        "yaml",
        "hono",
        "pino",
      ])
        expect(loaded).not.toContain(name);
    },
    TIMEOUT_MS,
  );

  test(
    "hangar serve over stdio answers tools/list without loading the HTTP front, the tasks extension, the v1 SDK, metrics, tracing, the tool search or the logger (nothing is logged at warn)",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", "providers: []\n");
      const loaded = await loadedPackages(["--config", config, "serve"], LIST);
      expect(loaded).toContain("@modelcontextprotocol/server");
      for (const name of [
        "hono",
        "@modelcontextprotocol/sdk",
        "@modelcontextprotocol/ext-tasks",
        "prom-client",
        "@opentelemetry/sdk-trace",
        "@opentelemetry/exporter-trace-otlp-http",
        "minisearch",
        "pino",
      ])
        expect(loaded).not.toContain(name);
    },
    TIMEOUT_MS,
  );

  test(
    "issue 11: hangar call of the demo providers loads neither the config parser nor the OAuth sign-in (node:crypto)",
    async () => {
      using box = sandbox();
      const batch = box.write(
        "one.json",
        JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "hi" } }]),
      );
      const files = (await loadedFiles(["call", batch, "--json"], "", box)).map((file) => file.replace(`${ROOT}/`, ""));
      expect(files).toContain("src/gateway/gateway.ts");
      for (const file of [
        "src/config/parse.ts",
        "src/config/schema.ts",
        "src/auth/index.ts",
        "src/auth/token-store.ts",
      ])
        expect(files).not.toContain(file);
      expect(files.filter((file) => file.includes("node_modules/yaml/"))).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "issue 11: the demo provider answers hangar's 2026-07-28 tools/list, an echo and a sleep without loading the MCP SDK or zod",
    async () => {
      const meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "hangar", version: "0.1.0" },
        "io.modelcontextprotocol/clientCapabilities": {},
      };
      const modern = [
        { id: 0, method: "tools/list", params: { _meta: meta } },
        { id: 1, method: "subscriptions/listen", params: { _meta: meta, notifications: { toolsListChanged: true } } },
        { id: 2, method: "tools/call", params: { name: "echo", arguments: { message: "hi" }, _meta: meta } },
        { id: 3, method: "tools/call", params: { name: "sleep", arguments: { ms: 0 }, _meta: meta } },
      ]
        .map((message) => `${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`)
        .join("");
      const loaded = await loadedPackages(["demo-provider", "--name", "demo"], modern);
      for (const name of ["@modelcontextprotocol/server", "@modelcontextprotocol/client", "zod"])
        expect(loaded).not.toContain(name);
    },
    TIMEOUT_MS,
  );

  test(
    "HANGAR_DEMO_FRONT=off (the benchmarks' baselines): the demo provider's MCP SDK answers from the first request",
    async () => {
      using box = sandbox();
      const out = join(box.root, "loaded.json");
      const proc = Bun.spawn([BUN, join(ROOT, "tests/fixtures/loaded-modules.ts"), "demo-provider"], {
        ...box.options({ HANGAR_DEMO_FRONT: "off", LOADED_MODULES_OUT: out }),
        stdin: "pipe",
        stdout: "pipe",
        stderr: "ignore",
      });
      const meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "hangar", version: "0.1.0" },
        "io.modelcontextprotocol/clientCapabilities": {},
      };
      proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 0, method: "tools/list", params: { _meta: meta } })}\n`);
      proc.stdin.flush();
      // The answer first (the SDK loads after the line came), then the end of stdin.
      const reader = proc.stdout.getReader();
      let text = "";
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(JSON.parse(text.slice(0, text.indexOf("\n")))).toMatchObject({
        id: 0,
        result: { tools: expect.any(Array) },
      });
      proc.stdin.end();
      expect(await proc.exited).toBe(0);
      const files = JSON.parse(readFileSync(out, "utf8")) as string[];
      expect(files.some((file) => file.includes("node_modules/@modelcontextprotocol/server/"))).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "hangar serve reads an unchanged config without the yaml library, and the library reads a new one",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", "max_concurrency: 8\nproviders: []\n");
      expect(await loadedPackages(["--config", config, "serve"], LIST, box)).toContain("yaml");
      expect(await loadedPackages(["--config", config, "serve"], LIST, box)).not.toContain("yaml");
      box.write("hangar.yaml", "max_concurrency: 9\nproviders: []\n");
      expect(await loadedPackages(["--config", config, "serve"], LIST, box)).toContain("yaml");
    },
    TIMEOUT_MS,
  );
});
