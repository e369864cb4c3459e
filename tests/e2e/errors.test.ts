import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { demoCommand, isolatedEnv, runHangar } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";

const SECRET = "sk-live-4f9a8b7c6d5e";
const batchFile = join(ROOT, "examples/batch.json");

/** Writes `yaml` as ./hangar.yaml in a fresh isolated directory and runs `args` there. */
async function withConfig(yaml: string, args: string[], extraEnv: Record<string, string> = {}, stdin?: string) {
  const { dir, env } = isolatedEnv(extraEnv);
  writeFileSync(join(dir, "hangar.yaml"), yaml);
  return { dir, ...(await runHangar(args, { env, cwd: dir, ...(stdin === undefined ? {} : { stdin }) })) };
}

describe("hangar call usage and config errors exit 2 with one clear message", () => {
  test("A missing batch file", async () => {
    const { code, stdout, stderr } = await runHangar(["call", "/nonexistent/batch.json"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain('hangar: Cannot read batch file "/nonexistent/batch.json": it does not exist');
  });

  test("A batch that is not JSON", async () => {
    const { code, stderr } = await runHangar(["call", "-"], { stdin: "{ calls: oops" });
    expect(code).toBe(2);
    expect(stderr).toContain("hangar: The batch in stdin is not valid JSON");
  });

  test("A malformed batch is rejected whole", async () => {
    const { code, stderr } = await runHangar(["call", "-"], { stdin: JSON.stringify({ calls: "all of them" }) });
    expect(code).toBe(2);
    expect(stderr).toContain("hangar: Invalid batch: calls: Invalid input: expected array, received string");
  });

  test("A batch over max_batch_size is rejected whole", async () => {
    const calls = Array.from({ length: 3 }, () => ({ provider: "x", tool: "echo" }));
    const { dir, env } = isolatedEnv();
    writeFileSync(join(dir, "hangar.yaml"), `max_batch_size: 2\nproviders:\n  - id: x\n    command: ${demoCommand("x")}\n`);
    const { code, stderr } = await runHangar(["call", "-"], { env, cwd: dir, stdin: JSON.stringify(calls) });
    expect(code).toBe(2);
    expect(stderr).toContain("it has 3 calls and the limit is 2 (max_batch_size)");
  });

  test("--json with --ndjson", async () => {
    const { code, stderr } = await runHangar(["call", batchFile, "--json", "--ndjson"]);
    expect(code).toBe(2);
    expect(stderr).toContain("Choose one of --json and --ndjson");
  });

  test("A typo'd key names file, line, column and the closest known key", async () => {
    const yaml = `providers:\n  - id: demo\n    command: ${demoCommand("demo")}\n    idle_ttl: 30\n`;
    const { dir, code, stderr } = await withConfig(yaml, ["call", batchFile]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, "hangar.yaml")}:4:5: providers[0].idle_ttl is not a known key; did you mean \`idle_ttl_s\`?`);
  });

  test("--config pointing at a missing file", async () => {
    const { code, stderr } = await runHangar(["--config", "/nonexistent/hangar.yaml", "call", batchFile]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe("hangar: Config file /nonexistent/hangar.yaml (given with --config) does not exist");
  });

  test("An unset ${VAR} names the variable and where it is used", async () => {
    const yaml = `providers:\n  - id: demo\n    command: ${demoCommand("demo")}\n    env: { TOKEN: "\${MISSING_TOKEN}" }\n`;
    const { code, stderr } = await withConfig(yaml, ["call", batchFile]);
    expect(code).toBe(2);
    expect(stderr).toContain("providers[0].env.TOKEN uses ${MISSING_TOKEN}, which is not set");
  });

  test("Secrets from the environment never appear in any error output", async () => {
    const cases = [
      `providers:\n  - id: a\n    command: ${demoCommand("a")}\n    env: { TOKEN: "\${SECRET_TOKEN}" }\n    idle_ttl: 1\n`,
      `providers:\n  - id: a\n    url: "http://127.0.0.1:1/mcp?key=\${SECRET_TOKEN}"\n    headers: { Authorization: "Bearer \${SECRET_TOKEN}" }\n    network: host\n`,
      `providers:\n  - id: a\n    command: ${demoCommand("a")}\n    env: { TOKEN: "\${SECRET_TOKEN}", OTHER: "\${UNSET_ONE}" }\n`,
      `providers:\n  - id: a\n    url: "http://127.0.0.1:1/mcp?key=\${SECRET_TOKEN}"\n`,
    ];
    for (const yaml of cases) {
      const batch = JSON.stringify([{ provider: "a", tool: "echo", arguments: { message: "x" } }]);
      const { code, stdout, stderr } = await withConfig(yaml, ["call", "-", "--verbose", "--json"], { SECRET_TOKEN: SECRET }, batch);
      expect(code).not.toBe(0);
      expect(stdout + stderr).not.toContain(SECRET);
    }
  });
});
