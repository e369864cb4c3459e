import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { demoCommand, isolatedEnv, runHangar } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";

const batchFile = join(ROOT, "examples/batch.json");
const version = (await Bun.file(join(ROOT, "package.json")).json()).version as string;

describe("hangar call (compiled binary)", () => {
  test("With no config, the README batch runs on the demo providers and says so in one line", async () => {
    const { code, stdout, stderr } = await runHangar(["call", batchFile]);
    expect(code).toBe(0);
    expect(stderr.trim().split("\n")).toEqual([
      'No config found (looked for $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml); using the built-in demo providers "demo" and "demo2"',
    ]);
    const lines = stdout.trim().split("\n");
    expect(lines).toHaveLength(6);
    expect(lines.slice(0, 5).every((line) => line.startsWith("ok "))).toBe(true);
    expect(lines[5]).toMatch(/^5 calls, 5 succeeded, 0 failed in \d+ ms$/);
  });

  test("--json prints the whole result in DESIGN.md's shape, in call order", async () => {
    const { code, stdout } = await runHangar(["call", batchFile, "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(["batch_id", "ok", "total", "succeeded", "failed", "elapsed_ms", "results"]);
    expect(result).toMatchObject({ ok: true, total: 5, succeeded: 5, failed: 0 });
    expect(result.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(result.results[0]).toMatchObject({ index: 0, id: "slow-1", provider: "demo", tool: "sleep", ok: true, attempts: 1 });
    expect(result.results[0].result).toEqual({ content: [{ type: "text", text: "slept 200 ms" }] });
    expect(result.results[4].result.structuredContent).toEqual({ sum: 42 });
    expect(typeof result.results[4].elapsed_ms).toBe("number");
  });

  test("--ndjson prints one result per line as calls finish, and nothing else", async () => {
    const { code, stdout } = await runHangar(["call", batchFile, "--ndjson"]);
    expect(code).toBe(0);
    const results = stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(results).toHaveLength(5);
    expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
    // The 200 ms sleeps finish after the instant calls.
    expect(results.slice(-3).every((r) => r.tool === "sleep")).toBe(true);
  });

  test("A bare list of calls is read from stdin with -", async () => {
    const stdin = JSON.stringify([{ provider: "demo2", tool: "echo", arguments: { message: "from stdin" } }]);
    const { code, stdout } = await runHangar(["call", "-", "--json"], { stdin });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).results[0].result.content[0].text).toBe("from stdin");
  });

  test("A failed call makes the exit code 1 and its row shows the tool error", async () => {
    const stdin = JSON.stringify([
      { provider: "demo", tool: "fail", arguments: { message: "no such user" } },
      { provider: "demo", tool: "echo", arguments: { message: "ok" } },
    ]);
    const { code, stdout } = await runHangar(["call", "-"], { stdin });
    expect(code).toBe(1);
    expect(stdout).toContain("FAIL demo/fail");
    expect(stdout).toContain("tool_error: no such user");
    expect(stdout).toContain("2 calls, 1 succeeded, 1 failed");
  });

  test("A configured provider from ./hangar.yaml is used", async () => {
    const { dir, env } = isolatedEnv();
    writeFileSync(join(dir, "hangar.yaml"), `providers:\n  - id: mine\n    command: ${demoCommand("mine")}\n`);
    const stdin = JSON.stringify([{ provider: "mine", tool: "info" }]);
    const { code, stdout, stderr } = await runHangar(["call", "-", "--json"], { env, cwd: dir, stdin });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).results[0].result.structuredContent.name).toBe("mine");
  });

  test("--version, --help and call --help answer; an unknown command is a usage error", async () => {
    expect((await runHangar(["--version"])).stdout.trim()).toBe(version);
    const help = await runHangar(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("call [options] <file>");
    const callHelp = await runHangar(["call", "--help"]);
    expect(callHelp.code).toBe(0);
    expect(callHelp.stdout).toContain("Exit codes: 0 every call succeeded");
    const unknown = await runHangar(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });
});
