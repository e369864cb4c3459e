// The MCP Inspector CLI (pinned to 2.12.0), a client no one here wrote, lists and calls hangar serve's tools.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { hangarBinary, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";
import { outputOf } from "../helpers/processes.ts";

const INSPECTOR = join(ROOT, "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");
const TIMEOUT_MS = 30_000;

/** Runs `inspector --cli dist/hangar serve ...args` with Node, as its users do. */
async function inspector(box: Sandbox, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn(["node", INSPECTOR, "--cli", hangarBinary(), "serve", ...args], {
    cwd: box.cwd,
    env: { ...box.env, MCP_CATALOG_PATH: join(box.root, "inspector.json") },
    stdout: "pipe",
    stderr: "pipe",
  });
  const { stdout, stderr, code } = await outputOf(proc);
  return { code, stdout, stderr };
}

describe("MCP Inspector CLI 2.12.0 against hangar serve", () => {
  test(
    "lists hangar's tools with no schema portability errors (--strict)",
    async () => {
      using box = sandbox();
      const run = await inspector(box, ["--method", "tools/list", "--strict"]);
      expect(run.code).toBe(0);
      const names = (JSON.parse(run.stdout).tools as { name: string }[]).map((t) => t.name);
      expect(names.slice(0, 3)).toEqual(["hangar_call", "hangar_tools", "hangar_status"]);
      expect(run.stderr).not.toMatch(/Warning|Error: tool/);
    },
    TIMEOUT_MS,
  );

  test(
    "calls hangar_call with a batch",
    async () => {
      using box = sandbox();
      const batch = JSON.stringify([
        { provider: "demo", tool: "echo", arguments: { message: "from the inspector" } },
        { provider: "demo2", tool: "add", arguments: { a: 20, b: 22 } },
      ]);
      const run = await inspector(box, [
        "--method",
        "tools/call",
        "--tool-name",
        "hangar_call",
        "--tool-arg",
        `calls=${batch}`,
      ]);
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result.structuredContent).toMatchObject({ ok: true, total: 2, succeeded: 2 });
      expect(result.structuredContent.results[1].result.structuredContent).toEqual({ sum: 42 });
    },
    TIMEOUT_MS,
  );

  test(
    "calls a provider tool by its listed name on a first start, before any catalog is cached",
    async () => {
      using box = sandbox();
      const direct = await inspector(box, [
        "--method",
        "tools/call",
        "--tool-name",
        "demo__echo",
        "--tool-arg",
        "message=hi",
      ]);
      expect(direct.code).toBe(0);
      expect(JSON.parse(direct.stdout).content[0].text).toBe("hi");
    },
    TIMEOUT_MS,
  );
});
