// Issue 11: `hangar call` starts the providers a batch names before it loads its gateway and the MCP
// SDK, and hands those processes to the gateway (each provider still starts once); one no call claims
// is stopped before hangar exits.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EarlySpawns } from "../../src/cli/early-spawns.ts";
import type { ChildProcessHandle, SpawnRequest } from "../../src/providers/index.ts";
import { hangarBinary, runHangar, sandbox } from "../helpers/e2e.ts";
import { isAlive, waitFor } from "../helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "../helpers/providers.ts";

const TIMEOUT_MS = 20_000;

/** A config whose provider `demo` writes its pid to `log` at each start, then runs the demo provider. */
function loggingDemoYaml(log: string): string {
  const script = `echo $$ >> "$START_LOG"; exec "$0" demo-provider --name demo`;
  return `providers:\n  - id: demo\n    command: ${JSON.stringify(["sh", "-c", script, hangarBinary()])}\n    env: { START_LOG: ${JSON.stringify(log)} }\n`;
}

const startsIn = (log: string) =>
  readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => Number(line));

describe("hangar call's head start (issue 11)", () => {
  test(
    "a provider the batch names is started once: the process started ahead of the gateway serves the call",
    async () => {
      using box = sandbox();
      const log = join(box.root, "starts.log");
      const config = box.write("hangar.yaml", loggingDemoYaml(log));
      const batch = box.write(
        "batch.json",
        JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "hi" } }]),
      );
      const run = await runHangar(["--config", config, "call", batch, "--json"], box.options());
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).ok).toBe(true);
      expect(startsIn(log)).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "a provider started ahead that no call claims (the batch is refused) is stopped before hangar exits",
    async () => {
      using box = sandbox();
      const log = join(box.root, "starts.log");
      const config = box.write("hangar.yaml", loggingDemoYaml(log));
      const batch = box.write(
        "batch.json",
        JSON.stringify({ calls: [{ provider: "demo", tool: "echo" }], timeout_s: -1 }),
      );
      const run = await runHangar(["--config", config, "call", batch], box.options());
      expect(run.code).toBe(2);
      const [pid] = startsIn(log);
      expect(pid).toBeNumber();
      await waitFor(() => !isAlive(pid!), 5_000, "the unclaimed provider to be gone");
    },
    TIMEOUT_MS,
  );

  test("EarlySpawns starts each named stdio provider once and hands it to the first equal request only", async () => {
    const started: SpawnRequest[] = [];
    const killed: number[] = [];
    const fake = (request: SpawnRequest): ChildProcessHandle => {
      started.push(request);
      const pid = 1000 + started.length;
      return {
        pid,
        stdin: undefined as never,
        stdout: undefined as never,
        stderr: undefined as never,
        exited: Promise.resolve({ code: 0, signal: null }),
        killGroup: () => killed.push(pid),
      };
    };
    const config = configOf([
      demoProvider("a"),
      demoProvider("b"),
      { ...stdioProvider("remote", ["x"]), transport: { kind: "http", url: "http://127.0.0.1:1/mcp" } as never },
    ]);
    const early = new EarlySpawns(fake);
    early.start(config, ["a", "b", "a", "remote", "unknown"]);
    expect(started.map((request) => request.providerId)).toEqual(["a", "b"]);
    const again = { ...started[0]!, env: { ...started[0]!.env } };
    expect(early.spawner(again).pid).toBe(1001);
    expect(early.spawner(again).pid).toBe(1003);
    expect(early.spawner({ ...again, args: [...again.args, "--other"] }).pid).toBe(1004);
    await early.close();
    expect(killed).toEqual([1002]);
  });
});
