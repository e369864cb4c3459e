// No process outlives hangar, end to end: the compiled binary is stopped by a signal, loses its parent,
// or loses one of its providers mid-batch, and every process it started is gone when it is.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  demoProviderPid,
  hangarBinary,
  killLeftovers,
  lines,
  type Running,
  sandbox,
  startHangar,
  waitForExit,
  waitForProviders,
} from "../helpers/e2e.ts";
import { descendants, isAlive, waitFor } from "../helpers/processes.ts";

const LONG_SLEEPS = JSON.stringify([
  { provider: "demo", tool: "sleep", arguments: { ms: 60_000 }, id: "long-1" },
  { provider: "demo2", tool: "sleep", arguments: { ms: 60_000 }, id: "long-2" },
]);
/** Long sleeps plus a quick echo on each provider: when both echoes are out, both sleeps are running. */
const LONG_SLEEPS_WITH_ECHOES = JSON.stringify([
  ...JSON.parse(LONG_SLEEPS),
  { provider: "demo", tool: "echo", arguments: { message: "up" }, id: "echo-1" },
  { provider: "demo2", tool: "echo", arguments: { message: "up" }, id: "echo-2" },
]);
const TIMEOUT_MS = 30_000;

/** Waits for hangar to exit within 10 s of `since` and returns its run. */
async function exitsWithin10s(hangar: Running, since: number) {
  await waitFor(() => hangar.proc.exitCode !== null || hangar.proc.signalCode !== null, 10_000, "hangar to exit");
  expect(Date.now() - since).toBeLessThan(10_000);
  return await hangar.done;
}

/** The streamed results printed so far, parsed. */
function streamed(
  hangar: Running,
): { index: number; id?: string; ok: boolean; error?: { type: string; message: string } }[] {
  return lines(hangar.stdout()).map((line) => JSON.parse(line));
}

describe("hangar call stopped by a signal leaves no process behind", () => {
  test.each(["SIGTERM", "SIGINT"] as const)(
    "%s as soon as its providers are spawned: exit 1, every call cancelled",
    async (signal) => {
      using box = sandbox();
      const file = box.write("long.json", LONG_SLEEPS);
      await using hangar = startHangar(["call", "--json", file], box.options());
      // One process per provider (a watchdog forked but not yet running its own program looks like hangar,
      // so the providers are counted by their command line).
      expect(await waitForProviders(hangar, 2)).toHaveLength(2);
      const sent = Date.now();
      process.kill(hangar.pid, signal);
      const run = await exitsWithin10s(hangar, sent);
      expect(run.code).toBe(1);
      expect([...hangar.seen].filter(isAlive)).toEqual([]);
      const batch = JSON.parse(run.stdout);
      expect(batch).toMatchObject({ ok: false, total: 2, succeeded: 0, failed: 2 });
      for (const result of batch.results) {
        expect(result).toMatchObject({
          ok: false,
          error: { type: "cancelled", message: `Cancelled: hangar received ${signal}` },
        });
      }
    },
    TIMEOUT_MS,
  );

  test.each(["SIGTERM", "SIGINT", "SIGHUP"] as const)(
    "%s while calls run upstream: exit 1, the running calls cancelled",
    async (signal) => {
      using box = sandbox();
      const file = box.write("long.json", LONG_SLEEPS_WITH_ECHOES);
      await using hangar = startHangar(["call", "--ndjson", file], box.options());
      await waitFor(() => streamed(hangar).length === 2, 10_000, "both echoes");
      const providers = await waitForProviders(hangar, 2);
      const sent = Date.now();
      process.kill(hangar.pid, signal);
      const run = await exitsWithin10s(hangar, sent);
      expect(run.code).toBe(1);
      expect([...hangar.seen].filter(isAlive)).toEqual([]);
      expect(providers.filter(isAlive)).toEqual([]);
      const results = lines(run.stdout).map((line) => JSON.parse(line));
      expect(results.map((r) => r.id).sort()).toEqual(["echo-1", "echo-2", "long-1", "long-2"]);
      for (const result of results.filter((r) => r.id.startsWith("long"))) {
        expect(result).toMatchObject({ ok: false, attempts: 1, error: { type: "cancelled" } });
      }
    },
    TIMEOUT_MS,
  );
});

describe("hangar call whose parent dies", () => {
  test(
    "exits on its own, cancelling its calls, and takes its providers with it",
    async () => {
      using box = sandbox();
      const file = box.write("long.json", LONG_SLEEPS);
      const out = join(box.cwd, "out.json");
      const script = `"$HANGAR" call --json "$BATCH" >"$OUT" 2>"$OUT.err" & echo $!; wait`;
      await using parent = startBash(script, { ...box.env, HANGAR: hangarBinary(), BATCH: file, OUT: out }, box.cwd);
      await waitFor(() => parent.stdout().includes("\n"), 10_000, "bash to print hangar's pid");
      const pid = Number(parent.stdout().trim());
      expect(pid).toBeGreaterThan(0);
      const pids = new Set<number>([pid]);
      await waitFor(() => descendantsOf(pid, pids).length >= 2, 10_000, "hangar's two providers");
      try {
        parent.proc.kill("SIGKILL");
        await parent.proc.exited;
        const killed = Date.now();
        expect(await waitForExit([pid], 10_000)).toEqual([]);
        expect(Date.now() - killed).toBeLessThan(10_000);
        expect(await waitForExit(pids, 2_000)).toEqual([]);
        const batch = JSON.parse(readFileSync(out, "utf8"));
        expect(batch).toMatchObject({ ok: false, total: 2, failed: 2 });
        for (const result of batch.results) {
          expect(result.error).toMatchObject({
            type: "cancelled",
            message: "Cancelled: hangar's parent process exited",
          });
        }
      } finally {
        killLeftovers(pids);
      }
    },
    TIMEOUT_MS,
  );
});

describe("hangar call whose provider is killed from outside", () => {
  test(
    "fails that provider's call with transport_error while the other provider's calls succeed",
    async () => {
      using box = sandbox();
      const file = box.write(
        "kill.json",
        JSON.stringify([
          { provider: "demo", tool: "sleep", arguments: { ms: 60_000 }, id: "doomed" },
          { provider: "demo2", tool: "sleep", arguments: { ms: 1_500 }, id: "survivor" },
          { provider: "demo", tool: "echo", arguments: { message: "up" }, id: "echo-1" },
          { provider: "demo2", tool: "echo", arguments: { message: "up" }, id: "echo-2" },
        ]),
      );
      await using hangar = startHangar(["call", "--ndjson", file], box.options());
      await waitFor(() => streamed(hangar).length === 2, 10_000, "both echoes");
      const providers = await waitForProviders(hangar, 2);
      const victim = demoProviderPid(providers, "demo");
      expect(victim).toBeNumber();
      process.kill(victim!, "SIGKILL");
      const run = await hangar.done;
      expect(run.code).toBe(1);
      const results = lines(run.stdout).map((line) => JSON.parse(line));
      // The echoes finish first, then the killed call, then the surviving sleep: the kill came while it ran.
      expect(
        results
          .slice(0, 2)
          .map((r) => r.id)
          .sort(),
      ).toEqual(["echo-1", "echo-2"]);
      expect(results.slice(2).map((r) => r.id)).toEqual(["doomed", "survivor"]);
      const byId = Object.fromEntries(results.map((r) => [r.id, r]));
      expect(byId.doomed).toMatchObject({ ok: false, error: { type: "transport_error" } });
      expect(byId.doomed.error.message).toContain('Provider "demo" stopped during the call');
      expect(byId.survivor).toMatchObject({ ok: true, result: { content: [{ type: "text", text: "slept 1500 ms" }] } });
      expect([...hangar.seen].filter(isAlive)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

/** Runs `script` with bash, as hangar's parent; its stdout is collected as it comes. */
function startBash(script: string, env: Record<string, string>, cwd: string) {
  const proc = Bun.spawn(["bash", "-c", script], { env, cwd, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  let stdout = "";
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) stdout += decoder.decode(chunk, { stream: true });
  })();
  return {
    proc,
    stdout: () => stdout,
    async [Symbol.asyncDispose]() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await Promise.all([proc.exited, reading]);
    },
  };
}

/** Descendants of `pid` now, added to `seen`. */
function descendantsOf(pid: number, seen: Set<number>): number[] {
  const now = descendants(pid);
  for (const child of now) seen.add(child);
  return now;
}
