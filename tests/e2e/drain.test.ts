// Issue 13, graceful drain, end to end through the compiled binary: on SIGTERM `serve --http` turns
// /readyz to 503 at once and keeps answering; running calls finish within the drain period (--drain-s),
// what is left then is cancelled and the providers stopped; a second signal cancels at once. stdio mode
// keeps cancelling at once.
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BatchResult } from "../../src/gateway/index.ts";
import { demoProvidersYaml, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture, npmServer } from "../helpers/paths.ts";
import { isAlive, waitFor } from "../helpers/processes.ts";
import { hangarCall, serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 60_000;
/** Ample for "at once" on a loaded 2-core machine; the drain periods below are far longer. */
const QUICK_MS = 5_000;

/** hangar.yaml with the demo provider `demo` and the gate provider `gate`. */
function configure(box: Sandbox): void {
  box.write(
    "hangar.yaml",
    `${demoProvidersYaml(["demo"])}  - ${JSON.stringify({ id: "gate", command: fixture("gate-server.ts") })}\n`,
  );
}

/** A gate call: its `started` file appears when it runs; writing its `release` file lets it answer. */
function gate(box: Sandbox, name: string) {
  const started = join(box.root, `${name}.started`);
  const release = join(box.root, `${name}.release`);
  return {
    call: { provider: "gate", tool: "wait", arguments: { started, release } },
    running: () => waitFor(() => existsSync(started), 20_000, `the ${name} call to run`),
    release: () => writeFileSync(release, ""),
  };
}

/** POSTs a batch to /v1/call and resolves with the status and the JSON body. */
async function post(base: string, calls: unknown[]): Promise<{ status: number; body: BatchResult }> {
  const response = await fetch(`${base}/v1/call`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls),
  });
  return { status: response.status, body: await response.json() };
}

async function readyz(base: string): Promise<number> {
  const response = await fetch(`${base}/readyz`);
  await response.arrayBuffer();
  return response.status;
}

describe("Issue 13: serve --http drains on SIGTERM", () => {
  test(
    "/readyz turns 503 at once, new requests are still answered, and the running call finishes",
    async () => {
      using box = sandbox();
      configure(box);
      await using http = await startHttpHangar(box, ["--drain-s", "120"]);
      const { client } = await http.connect(); // a 2025 session opened before the signal
      const slow = gate(box, "slow");
      const running = post(http.base, [slow.call]);
      await slow.running();
      expect(await readyz(http.base)).toBe(200);

      const sent = Date.now();
      process.kill(http.running.pid, "SIGTERM");
      await waitFor(async () => (await readyz(http.base)) === 503, QUICK_MS, "/readyz to turn 503");
      const readyAfter = Date.now() - sent;

      const fresh = await post(http.base, [{ provider: "demo", tool: "echo", arguments: { message: "during" } }]);
      expect(fresh.status).toBe(200);
      expect(fresh.body.results[0]).toMatchObject({ ok: true });
      const listed = await client.listTools();
      expect(listed.tools.map((tool) => tool.name)).toContain("demo__echo");
      expect(http.running.proc.exitCode).toBeNull();

      slow.release();
      const finished = await running;
      expect(finished.status).toBe(200);
      expect(finished.body.results[0]).toMatchObject({ ok: true });
      const run = await http.running.done;
      expect(run.code).toBe(0);
      expect(readyAfter).toBeLessThan(QUICK_MS);
      expect(run.stderr).toContain("draining the HTTP front");
      expect(run.stderr).not.toContain("cancelling the requests still running");
      expect([...http.running.seen].filter(isAlive)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "When the drain period ends, the call still running is cancelled, answered as such, and hangar exits",
    async () => {
      using box = sandbox();
      configure(box);
      await using http = await startHttpHangar(box, ["--drain-s", "1"]);
      const stuck = gate(box, "stuck");
      const running = post(http.base, [stuck.call]);
      await stuck.running();
      http.running.children();
      process.kill(http.running.pid, "SIGTERM");
      const answered = await running;
      expect(answered.status).toBe(200);
      expect(answered.body.results[0]).toMatchObject({ ok: false, error: { type: "cancelled" } });
      const run = await http.running.done;
      expect(run.code).toBe(0);
      expect(run.stderr).toContain("cancelling the requests still running");
      expect([...http.running.seen].filter(isAlive)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test.each(["SIGTERM", "SIGINT"] as const)(
    "A second signal (%s) during the drain cancels what runs at once",
    async (second) => {
      using box = sandbox();
      configure(box);
      await using http = await startHttpHangar(box, ["--drain-s", "600"]);
      const stuck = gate(box, "stuck");
      const running = post(http.base, [stuck.call]);
      await stuck.running();
      process.kill(http.running.pid, "SIGTERM");
      await waitFor(async () => (await readyz(http.base)) === 503, QUICK_MS, "/readyz to turn 503");
      const sent = Date.now();
      process.kill(http.running.pid, second);
      const answered = await running;
      expect(answered.body.results[0]).toMatchObject({ ok: false, error: { type: "cancelled" } });
      await http.running.done;
      expect(Date.now() - sent).toBeLessThan(QUICK_MS);
    },
    TIMEOUT_MS,
  );
});

describe("serve --http exits on SIGTERM whatever its sessions hold", () => {
  test(
    "a 2025 session left with a resource subscription neither keeps hangar running nor starts its provider again",
    async () => {
      using box = sandbox();
      const everything = { id: "everything", command: npmServer("@modelcontextprotocol/server-everything") };
      box.write("hangar.yaml", `providers:\n  - ${JSON.stringify(everything)}\n`);
      // At info, the log says when a provider starts, and when shutting down begins.
      await using http = await startHttpHangar(box, ["--log-level", "info"]);
      const { client } = await http.connect();
      const { resources } = await client.listResources();
      await client.subscribeResource({ uri: resources[0]!.uri });
      // The v1 SDK's close() sends no DELETE: the session, and its subscription, stay on the server.
      await client.close();
      const providers = http.running.children();
      expect(providers.length).toBeGreaterThan(0);
      http.running.proc.kill("SIGTERM");
      await waitFor(() => http.running.proc.exitCode !== null, QUICK_MS, "hangar serve --http to exit");
      // Ending the subscription at shutdown once started the provider again, which kept hangar alive.
      expect(http.running.stderr()).not.toMatch(/shutting down[\s\S]*provider started/);
      for (const pid of http.running.children()) expect(isAlive(pid)).toBe(false);
      for (const pid of providers) await waitFor(() => !isAlive(pid), QUICK_MS, `provider ${pid} to end`);
    },
    TIMEOUT_MS,
  );
});

describe("Issue 13: stdio keeps cancelling at once", () => {
  test(
    "hangar serve (stdio) gets SIGTERM during a call: the call is cancelled and hangar exits at once",
    async () => {
      using box = sandbox();
      configure(box);
      await using session = await serve(box);
      const stuck = gate(box, "stuck");
      const calling = hangarCall(session, [stuck.call]).catch((error: unknown) => error);
      await stuck.running();
      const sent = Date.now();
      process.kill(session.pid, "SIGTERM");
      await waitFor(() => !isAlive(session.pid), QUICK_MS, "hangar serve to exit");
      expect(Date.now() - sent).toBeLessThan(QUICK_MS);
      await calling;
    },
    TIMEOUT_MS,
  );
});
