import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { demoCommand, isolatedEnv } from "../helpers/e2e.ts";
import { DIST_HANGAR } from "../helpers/paths.ts";
import { descendants, isAlive, waitFor } from "../helpers/processes.ts";

/** A config with two demo providers, and a batch that keeps both busy for a minute. */
function longBatch() {
  const { dir, env } = isolatedEnv();
  writeFileSync(join(dir, "hangar.yaml"), `providers:\n  - id: one\n    command: ${demoCommand("one")}\n  - id: two\n    command: ${demoCommand("two")}\n`);
  const batch = join(dir, "batch.json");
  writeFileSync(batch, JSON.stringify([
    { provider: "one", tool: "sleep", arguments: { ms: 60_000 } },
    { provider: "two", tool: "sleep", arguments: { ms: 60_000 } },
  ]));
  return { dir, env, batch };
}

describe("No process outlives hangar", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`After ${signal}, hangar cancels the batch, exits 1 and stops every provider`, async () => {
      const { dir, env, batch } = longBatch();
      const hangar = Bun.spawn([DIST_HANGAR, "call", batch, "--json"], { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
      await waitFor(() => descendants(hangar.pid).length >= 2, 10_000, "both providers to start");
      const tree = descendants(hangar.pid);
      hangar.kill(signal);
      const code = await hangar.exited;
      expect(code).toBe(1);
      const result = JSON.parse(await new Response(hangar.stdout).text());
      expect(result.results.map((r: { error: { type: string } }) => r.error.type)).toEqual(["cancelled", "cancelled"]);
      expect(result.results[0].error.message).toBe(`Cancelled: hangar received ${signal}`);
      await waitFor(() => tree.every((pid) => !isAlive(pid)), 10_000, "every provider process to exit");
    });
  }

  test("When hangar's parent dies, hangar notices, stops its providers and exits", async () => {
    const { dir, env, batch } = longBatch();
    const parent = Bun.spawn(["bash", "-c", `"${DIST_HANGAR}" call "${batch}" >/dev/null 2>&1 & echo $!; wait`], { cwd: dir, env, stdout: "pipe" });
    const reader = parent.stdout.getReader();
    const { value } = await reader.read();
    const hangarPid = Number(new TextDecoder().decode(value).trim());
    expect(hangarPid).toBeGreaterThan(0);
    await waitFor(() => descendants(hangarPid).length >= 2, 10_000, "both providers to start");
    const tree = [hangarPid, ...descendants(hangarPid)];
    parent.kill("SIGKILL");
    await parent.exited;
    await waitFor(() => tree.every((pid) => !isAlive(pid)), 15_000, "hangar and its providers to exit");
  });

  test("A provider killed from outside fails only its call; the other provider's calls succeed", async () => {
    const { dir, env } = isolatedEnv();
    writeFileSync(join(dir, "hangar.yaml"), `providers:\n  - id: victim\n    command: ${demoCommand("victim")}\n  - id: fine\n    command: ${demoCommand("fine")}\n`);
    const batch = JSON.stringify([
      { provider: "victim", tool: "info" },
      { provider: "victim", tool: "sleep", arguments: { ms: 60_000 } },
      { provider: "fine", tool: "sleep", arguments: { ms: 1_500 } },
      { provider: "fine", tool: "echo", arguments: { message: "still here" } },
    ]);
    const hangar = Bun.spawn([DIST_HANGAR, "call", "-", "--ndjson"], { cwd: dir, env, stdin: new Blob([batch]), stdout: "pipe", stderr: "pipe" });
    const lines = readLines(hangar.stdout);
    // The victim answered `info` (its pid), so it is up and its long sleep is in flight.
    const results: { index: number; result?: { structuredContent: { pid: number } } }[] = [];
    let victim: number | undefined;
    while (victim === undefined) {
      const next = await lines.next();
      if (next.done) throw new Error("hangar ended before the victim answered");
      results.push(JSON.parse(next.value));
      victim = results.find((r) => r.index === 0)?.result?.structuredContent.pid;
    }
    process.kill(victim, "SIGKILL");
    for await (const line of lines) results.push(JSON.parse(line));
    expect(await hangar.exited).toBe(1);
    const byIndex = Object.fromEntries(results.map((r) => [r.index, r]));
    expect(byIndex[1]).toMatchObject({ ok: false, error: { type: "transport_error", message: 'Provider "victim" stopped during the call: it was killed by SIGKILL' } });
    expect(byIndex[2]).toMatchObject({ ok: true });
    expect(byIndex[3]).toMatchObject({ ok: true });
  });
});

/** The lines of a byte stream, as they arrive. */
async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf("\n");
    while (newline !== -1) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
    }
  }
  if (buffered.trim()) yield buffered;
}
