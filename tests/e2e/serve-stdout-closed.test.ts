// A client that stops reading hangar's stdout (closes its end) and then ends stdin, as bench/start.ts
// does once it has its answer: hangar's shutdown flush must not throw on the EPIPE of a write in its
// turn, or serveStdio rejected before stopping the providers and hangar stayed alive with them for ever.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { demoProvidersYaml, hangarBinary, killLeftovers, sandbox } from "../helpers/e2e.ts";
import { INITIALIZED, initializeRequest } from "../helpers/jsonrpc.ts";
import { descendants, isAlive, waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 90_000;
/** The EPIPE lands in the shutdown's turn about half the time; several rounds make a miss unlikely. */
const ROUNDS = 5;

async function oneRound(): Promise<{ exited: boolean; stderr: string; leftover: number[] }> {
  using box = sandbox();
  box.write("hangar.yaml", demoProvidersYaml(["p0"]));
  const stderr = `${box.root}/stderr.log`;
  const proc = Bun.spawn([hangarBinary(), "--log-level", "debug", "serve"], {
    cwd: box.cwd,
    env: box.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: Bun.file(stderr),
  });
  const seen = new Set<number>();
  try {
    const line = (message: object) => `${JSON.stringify(message)}\n`;
    proc.stdin.write(
      line(initializeRequest()) +
        line(INITIALIZED) +
        line({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "hangar_tools", arguments: {} } }),
    );
    proc.stdin.flush();
    let output = "";
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      output += decoder.decode(chunk);
      if (output.includes('"id":2')) break; // stops reading: the client's end of hangar's stdout closes
    }
    for (const pid of descendants(proc.pid)) seen.add(pid);
    // hangar's error answer to this line is its first write after the close (EPIPE), in stdin's end's turn.
    proc.stdin.write("not json\n");
    proc.stdin.end();
    const exited = await waitFor(() => proc.exitCode !== null, 15_000, "hangar serve to exit").then(
      () => true,
      () => false,
    );
    if (exited)
      await waitFor(() => [...seen].every((pid) => !isAlive(pid)), 5_000, "the providers to stop").catch(() => {});
    return { exited, stderr: readFileSync(stderr, "utf8"), leftover: [...seen].filter(isAlive) };
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
    for (const pid of descendants(proc.pid)) seen.add(pid);
    killLeftovers(seen);
    await proc.exited;
  }
}

describe("hangar serve (stdio) when the client closed hangar's stdout before stdin", () => {
  test(
    "exits at stdin's end and stops its providers, though writing to the client fails (EPIPE)",
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { exited, stderr, leftover } = await oneRound();
        expect(stderr).toContain("stdin closed");
        expect(stderr).not.toContain("unexpected error");
        expect(exited).toBe(true);
        expect(leftover).toEqual([]);
      }
    },
    TIMEOUT_MS,
  );
});
