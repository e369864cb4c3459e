// Issue 9 (items 1 and 3), end to end through the compiled binary: a signal or stdin EOF while providers
// are still starting ends hangar at once and kills those starts; a second Ctrl-C never orphans a provider;
// `serve --http` is a server (no parent watch, SIGHUP never stops it, an ignored SIGHUP stays ignored).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { hangarBinary, lines, type Running, type Sandbox, sandbox, startHangar } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { hangarCallRequest, INITIALIZED, initializeRequest, stdinOf } from "../helpers/jsonrpc.ts";
import { descendants, isAlive, waitFor } from "../helpers/processes.ts";
import { serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 60_000;
/** "~1 s" with room for a loaded machine; the old behaviour waited the whole 20 s start. */
const QUICK_EXIT_MS = 5_000;

/** A provider that takes 20 s to start: bash sleeps, then becomes the demo provider. */
function slowProvider(id: string): string {
  const command = ["bash", "-c", `sleep 20; exec ${hangarBinary()} demo-provider --name ${id}`];
  return `  - ${JSON.stringify({ id, command })}\n`;
}
function demoProvider(id: string): string {
  return `  - ${JSON.stringify({ id, command: [hangarBinary(), "demo-provider", "--name", id] })}\n`;
}
function config(box: Sandbox, providers: string[]): void {
  box.write("hangar.yaml", `providers:\n${providers.join("")}`);
}

/** Pids of `sleep 20` among `pids` (the slow providers' start-up). */
function sleepers(pids: Iterable<number>): number[] {
  return [...pids].filter((pid) => cmdline(pid).join(" ") === "sleep 20");
}
function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}
/** Kills (SIGKILL) whichever of `pids` a failed test left running. */
function killAll(pids: Iterable<number>): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}
async function exited(running: Running): Promise<number> {
  await waitFor(() => running.proc.exitCode !== null || running.proc.signalCode !== null, 30_000, "hangar to exit");
  return Date.now();
}

describe("Issue 9: cancelling while providers start", () => {
  test.each(["SIGINT", "SIGTERM"] as const)(
    "hangar call gets %s while its providers start: exits at once and kills the starts",
    async (signal) => {
      using box = sandbox();
      config(box, [slowProvider("slow1"), slowProvider("slow2")]);
      const file = box.write(
        "batch.json",
        JSON.stringify([
          { provider: "slow1", tool: "echo", arguments: { message: "a" } },
          { provider: "slow2", tool: "echo", arguments: { message: "b" } },
        ]),
      );
      await using hangar = startHangar(["call", "--json", "--log-level", "info", file], box.options());
      try {
        await waitFor(() => sleepers(hangar.children()).length === 2, 10_000, "both providers to be starting");
        const sent = Date.now();
        process.kill(hangar.pid, signal);
        const run = await hangar.done;
        expect((await exited(hangar)) - sent).toBeLessThan(QUICK_EXIT_MS);
        expect(run.code).toBe(1);
        expect(JSON.parse(run.stdout).results.map((r: { error: { type: string } }) => r.error.type)).toEqual([
          "cancelled",
          "cancelled",
        ]);
        expect(run.stderr).not.toContain("provider started");
        expect(run.stderr).toContain("provider start abandoned");
        expect([...hangar.seen].filter(isAlive)).toEqual([]);
      } finally {
        killAll(hangar.seen);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "hangar serve (stdio) gets SIGTERM while warming up slow providers: exits at once, logged at warn",
    async () => {
      using box = sandbox();
      config(box, [slowProvider("slow1"), slowProvider("slow2")]);
      await using session = await serve(box);
      try {
        await waitFor(() => sleepers(session.children()).length === 2, 10_000, "the warm-up to start both");
        const sent = Date.now();
        process.kill(session.pid, "SIGTERM");
        await waitFor(() => !isAlive(session.pid), 30_000, "hangar serve to exit");
        expect(Date.now() - sent).toBeLessThan(QUICK_EXIT_MS);
        await waitFor(() => session.children().every((pid) => !isAlive(pid)), 2_000, "no process left");
        const warn = lines(session.stderr())
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line))
          .find((entry) => entry.msg === "shutting down");
        expect(warn).toMatchObject({ level: 40, reason: "Cancelled: hangar received SIGTERM" });
      } finally {
        killAll(session.children());
      }
    },
    TIMEOUT_MS,
  );

  test(
    "hangar serve (stdio) at stdin EOF answers the running request and waits for no start it does not need",
    async () => {
      using box = sandbox();
      config(box, [slowProvider("slow"), demoProvider("demo")]);
      const stdin = stdinOf([
        initializeRequest(),
        INITIALIZED,
        hangarCallRequest(2, [{ provider: "demo", tool: "sleep", arguments: { ms: 500 } }]),
      ]);
      await using hangar = startHangar(["serve", "--log-level", "info"], box.options({}, stdin));
      try {
        const started = Date.now();
        const run = await hangar.done;
        expect(Date.now() - started).toBeLessThan(QUICK_EXIT_MS + 500);
        expect(run.code).toBe(0);
        const answer = lines(run.stdout)
          .map((line) => JSON.parse(line))
          .find((message) => message.id === 2);
        expect(answer.result.structuredContent).toMatchObject({ ok: true, succeeded: 1 });
        const logged = lines(run.stderr)
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line));
        expect(logged.find((entry) => entry.msg.startsWith("stdin closed"))).toMatchObject({ level: 30 });
        expect(logged.find((entry) => entry.msg === "shutting down")).toBeUndefined();
        expect([...hangar.seen].filter(isAlive)).toEqual([]);
      } finally {
        killAll(hangar.seen);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "A second SIGINT while hangar call stops a provider that ignores SIGTERM leaves no process",
    async () => {
      using box = sandbox();
      // Ignores SIGTERM, and outlives its demo provider's stdin EOF: only the SIGKILL after the grace ends it.
      const stubborn = ["bash", "-c", `trap "" TERM; ${hangarBinary()} demo-provider --name stubborn; sleep 30`];
      box.write("hangar.yaml", `providers:\n  - ${JSON.stringify({ id: "stubborn", command: stubborn })}\n`);
      const file = box.write(
        "batch.json",
        JSON.stringify([
          { provider: "stubborn", tool: "sleep", arguments: { ms: 60_000 }, id: "long" },
          { provider: "stubborn", tool: "echo", arguments: { message: "up" }, id: "echo" },
        ]),
      );
      await using hangar = startHangar(["call", "--ndjson", file], box.options());
      const group = new Set<number>();
      try {
        await waitFor(() => lines(hangar.stdout()).length === 1, 10_000, "the echo");
        for (const pid of hangar.children()) group.add(pid);
        process.kill(hangar.pid, "SIGINT");
        await waitFor(
          () => {
            for (const pid of descendants(hangar.pid)) group.add(pid);
            return sleepers30(group).length === 1;
          },
          10_000,
          "the provider to be stopping (its demo provider gone, bash sleeping on)",
        );
        process.kill(hangar.pid, "SIGINT");
        await exited(hangar);
        await waitFor(() => [...group].every((pid) => !isAlive(pid)), 2_000, "no process left").catch(() => {});
        expect([...group].filter(isAlive)).toEqual([]);
      } finally {
        killAll(group);
      }
    },
    TIMEOUT_MS,
  );
});

function sleepers30(pids: Iterable<number>): number[] {
  return [...pids].filter((pid) => cmdline(pid).join(" ") === "sleep 30");
}

describe("Issue 9: hangar serve --http is a server", () => {
  test(
    "SIGHUP never stops it; it is logged and it keeps serving",
    async () => {
      using box = sandbox();
      config(box, [demoProvider("demo")]);
      await using http = await startHttpHangar(box, ["--log-level", "info"]);
      process.kill(http.running.pid, "SIGHUP");
      await waitFor(
        () => http.running.stderr().includes("SIGHUP received; reloading the config"),
        10_000,
        "the SIGHUP to be logged",
      );
      expect((await fetch(`${http.base}/healthz`)).status).toBe(200);
      expect(http.running.proc.exitCode).toBeNull();
    },
    TIMEOUT_MS,
  );

  test(
    "A SIGHUP ignored when it starts (nohup) stays ignored",
    async () => {
      using box = sandbox();
      config(box, [demoProvider("demo")]);
      const script = `trap "" HUP; exec "${hangarBinary()}" serve --http --port 0`;
      const proc = Bun.spawn(["bash", "-c", script], { cwd: box.cwd, env: box.env, stdout: "ignore", stderr: "pipe" });
      try {
        let stderr = "";
        const reading = (async () => {
          for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk);
        })();
        await waitFor(() => stderr.includes("Hangar serving MCP on"), 10_000, "hangar to listen");
        const status = readFileSync(`/proc/${proc.pid}/status`, "utf8");
        const mask = (name: string) => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)$`, "m").exec(status)![1]}`);
        expect(mask("SigIgn") & 1n).toBe(1n); // SIGHUP (1) still ignored, no handler put in its place
        process.kill(proc.pid, "SIGHUP");
        expect((await fetch(`${/(http:\/\/\S+)\/mcp/.exec(stderr)![1]}/healthz`)).status).toBe(200);
        proc.kill("SIGTERM");
        await proc.exited;
        await reading;
      } finally {
        proc.kill("SIGKILL");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "It keeps serving after the shell that started it exits",
    async () => {
      using box = sandbox();
      config(box, [demoProvider("demo")]);
      const script = `"${hangarBinary()}" serve --http --port 0 2>"$LOG" & echo $!; wait`;
      const log = `${box.root}/serve.log`;
      const parent = Bun.spawn(["bash", "-c", script], {
        cwd: box.cwd,
        env: { ...box.env, LOG: log },
        stdout: "pipe",
        stderr: "ignore",
      });
      let pid = 0;
      try {
        const reader = parent.stdout.getReader();
        pid = Number(new TextDecoder().decode((await reader.read()).value).trim());
        reader.releaseLock();
        const read = () => {
          try {
            return readFileSync(log, "utf8");
          } catch {
            return "";
          }
        };
        await waitFor(() => read().includes("Hangar serving MCP on"), 10_000, "hangar to listen");
        parent.kill("SIGKILL");
        await parent.exited;
        // The parent watch, where it runs (stdio, call), notices within 1 s; give it three.
        await Bun.sleep(3_000);
        expect(isAlive(pid)).toBe(true);
        const base = /(http:\/\/\S+)\/mcp/.exec(read())![1];
        expect((await fetch(`${base}/healthz`)).status).toBe(200);
      } finally {
        if (pid > 0) killAll([pid, ...descendants(pid)]);
        parent.kill("SIGKILL");
      }
    },
    TIMEOUT_MS,
  );
});
