// Issue 10, tasks upstream: a 2026-07-28 provider that answers a tool call with a task
// (io.modelcontextprotocol/tasks, tests/fixtures/tasks-server.ts) is awaited to the task's end, so a
// `hangar_call` batch gets the final CallToolResult; a deadline or a cancellation reaches the task as
// `tasks/cancel`. A 2025-11-25 provider that offers tasks (probe-server.ts with PROBE_TASKS) is told the
// call's progress token, and its progress reaches the caller (a batch, `hangar serve` over stdio and HTTP).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { NO_SDK_TIMEOUT } from "../src/providers/index.ts";
import { SessionBridge } from "../src/serve/http/session-bridge.ts";
import { type Sandbox, sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";
import { serve } from "./helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** The tasks fixture as provider "jobs", logging its tasks to `log`. */
function tasksProvider(log: string): ResolvedProvider {
  const base = stdioProvider("jobs", fixture("tasks-server.ts"));
  return { ...base, transport: { ...base.transport, env: { TASKS_LOG: log } } } as ResolvedProvider;
}

/** A throwaway folder for the fixture's log, removed on dispose. */
function tempLog(): { readonly log: string; lines(): string[] } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), "hangar-tasks-"));
  const log = join(dir, "tasks.log");
  const lines = () => {
    try {
      return readFileSync(log, "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return { log, lines, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("Task-backed provider tools (issue 10, tasks)", () => {
  test(
    "hangar_call over a task-backed tool returns the task's final result, and a failed task reads like the provider's error answer",
    async () => {
      using temp = tempLog();
      const gateway = new Gateway(configOf([tasksProvider(temp.log)]));
      try {
        const batch = await gateway.run({
          calls: [
            { provider: "jobs", tool: "slow_compute", arguments: { seconds: 0.3, label: "report" } },
            { provider: "jobs", tool: "greet", arguments: { name: "World" } },
            { provider: "jobs", tool: "failing_job" },
            { provider: "jobs", tool: "protocol_error_job" },
          ],
        });
        expect(batch.results[0]).toMatchObject({
          ok: true,
          result: { content: [{ type: "text", text: "computed report" }] },
        });
        expect(batch.results[1]).toMatchObject({
          ok: true,
          result: { content: [{ type: "text", text: "Hello, World!" }] },
        });
        expect(batch.results[2]).toMatchObject({ ok: false, error: { type: "tool_error" } });
        expect(batch.results[3]).toMatchObject({ ok: false, error: { type: "tool_error" } });
        expect(batch.results[3]!.error!.message).toContain(
          "answered with error -32603: protocol_error_job broke on purpose",
        );
        // Three calls became tasks on the provider; the greeting did not.
        expect(temp.lines().filter((line) => line.startsWith("task ")).length).toBe(3);
        expect(JSON.stringify(batch.results[0])).not.toContain("taskId");
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a cancelled call and a call past its deadline each reach their task as tasks/cancel",
    async () => {
      using temp = tempLog();
      const gateway = new Gateway(configOf([tasksProvider(temp.log)]));
      try {
        await gateway.handles.get("jobs")!.ensureReady(AbortSignal.timeout(10_000));
        const timed = await gateway.run({
          calls: [{ provider: "jobs", tool: "slow_compute", arguments: { seconds: 60 }, timeout_s: 0.5 }],
        });
        expect(timed.results[0]).toMatchObject({ ok: false, error: { type: "timeout" } });
        await waitFor(() => temp.lines().some((l) => l.startsWith("cancelled")), 10_000, "the task to be cancelled");

        const abort = new AbortController();
        const running = gateway.run(
          { calls: [{ provider: "jobs", tool: "slow_compute", arguments: { seconds: 60 } }] },
          { signal: abort.signal },
        );
        await waitFor(() => temp.lines().filter((l) => l.startsWith("task ")).length === 2, 10_000, "a second task");
        abort.abort();
        expect((await running).results[0]).toMatchObject({ ok: false, error: { type: "cancelled" } });
        await waitFor(
          () => temp.lines().filter((l) => l.startsWith("cancelled")).length === 2,
          10_000,
          "the second task to be cancelled",
        );
        const tasks = temp
          .lines()
          .filter((l) => l.startsWith("task "))
          .map((l) => l.split(" ")[1]);
        const cancelled = temp
          .lines()
          .filter((l) => l.startsWith("cancelled"))
          .map((l) => l.split(" ")[1]);
        expect(cancelled).toEqual(tasks);
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );
});

describe("a task call's offer (what a 2026-07-28 provider is told the caller can answer)", () => {
  /** A connection as `framesTasksRaw` reads it (the extension's value as any provider may send it). */
  const connection = (era: "modern" | "legacy", extension?: unknown) =>
    ({
      getProtocolEra: () => era,
      getServerCapabilities: () =>
        extension === undefined
          ? { tools: {} }
          : { tools: {}, extensions: { "io.modelcontextprotocol/tasks": extension } },
    }) as unknown as Parameters<typeof import("../src/pool/offers-tasks.ts").framesTasksRaw>[0];

  test(
    "reaches the provider as its request's client capabilities, and never as Hangar's own _meta key",
    async () => {
      // Advertised as `{}`, the tasks extension's requests go through Hangar's raw dispatch; with a setting
      // in it, ext-tasks sends them through the SDK client, past that dispatch.
      for (const extension of ["{}", '{"draft":true}']) {
        using temp = tempLog();
        const base = tasksProvider(temp.log);
        const provider = {
          ...base,
          transport: { ...base.transport, env: { TASKS_LOG: temp.log, TASKS_EXTENSION: extension } },
        } as ResolvedProvider;
        // Connections that declare sampling and elicitation (as over HTTP), called for a client declaring neither.
        const gateway = new Gateway(configOf([provider]), { bridge: new SessionBridge() });
        try {
          const called = await gateway.callOne(
            { provider: "jobs", tool: "told_task_capabilities" },
            { clientCapabilities: {} },
          );
          expect(called.ok).toBe(true);
          const seen = temp.lines().filter((line) => line.startsWith("meta told_task_capabilities"));
          expect(seen.length).toBeGreaterThan(0);
          for (const line of seen) expect(line).not.toContain("hangar/");
          if (extension === "{}") {
            const text = (called.result as { content: { text: string }[] }).content[0]!.text;
            expect(JSON.parse(text)).toEqual({ extensions: { "io.modelcontextprotocol/tasks": {} } });
          }
        } finally {
          await gateway.close();
        }
      }
    },
    TIMEOUT_MS,
  );

  test("goes in the request's _meta only where ext-tasks sends through Hangar's raw dispatch, which takes it out", async () => {
    const { framesTasksRaw } = await import("../src/pool/offers-tasks.ts");
    expect(framesTasksRaw(connection("modern", {}))).toBe(true);
    // ext-tasks sends these through the SDK client, which would pass a private _meta key on to the provider.
    expect(framesTasksRaw(connection("modern", { draft: true }))).toBe(false);
    expect(framesTasksRaw(connection("modern", null))).toBe(false);
    expect(framesTasksRaw(connection("modern"))).toBe(false);
    expect(framesTasksRaw(connection("legacy", {}))).toBe(false);
  });
});

describe("a 2025-11-25 provider that offers tasks (its calls go through the tasks requester)", () => {
  /** probe-server.ts advertising `tasks.requests.tools.call`, as provider "current". */
  const probeArgv = fixture("probe-server.ts");
  const taskProbe = (): ResolvedProvider => {
    const base = stdioProvider("current", probeArgv);
    return { ...base, transport: { ...base.transport, env: { PROBE_TASKS: "1" } } } as ResolvedProvider;
  };
  /** The same provider as the sandbox's hangar.yaml (JSON is YAML). */
  const writeConfig = (box: Sandbox) =>
    box.write(
      "hangar.yaml",
      `providers:\n  - ${JSON.stringify({ id: "current", command: probeArgv, env: { PROBE_TASKS: "1" } })}\n`,
    );

  test(
    "is told the call's progress token: a batch gets its progress",
    async () => {
      const gateway = new Gateway(configOf([taskProbe()]));
      try {
        const seen: number[] = [];
        const batch = await gateway.run(
          { calls: [{ provider: "current", tool: "progress", arguments: { steps: 3 } }] },
          { onProgress: (_, p) => void seen.push(p.progress) },
        );
        expect(batch.results[0]).toMatchObject({ ok: true, result: { content: [{ text: "did 3 steps" }] } });
        expect(seen).toEqual([1, 2, 3]);
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a call to it is bounded by its own deadline, not the SDK's 60 s request timeout",
    async () => {
      const gateway = new Gateway(configOf([taskProbe()]));
      try {
        const handle = gateway.handles.get("current")!;
        // The requests the connection's SDK client sends, with the timeout each is given.
        const timeouts: [string, number | undefined][] = [];
        await handle.withClient(AbortSignal.timeout(10_000), async (client) => {
          const request = client.request.bind(client);
          client.request = ((message: { method: string }, schema: unknown, options?: { timeout?: number }) => {
            timeouts.push([message.method, options?.timeout]);
            return request(message as never, schema as never, options as never);
          }) as typeof client.request;
        });
        const batch = await gateway.run({ calls: [{ provider: "current", tool: "echo", arguments: { text: "x" } }] });
        expect(batch.results[0]).toMatchObject({ ok: true });
        // Without one, the SDK cuts any request at 60 s, whatever the call's timeout_s (up to hours).
        expect(timeouts.filter(([method]) => method === "tools/call")).toEqual([["tools/call", NO_SDK_TIMEOUT]]);
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "`hangar serve` relays its progress to the client under the client's own token, over stdio and HTTP",
    async () => {
      using box = sandbox();
      writeConfig(box);
      /** The progress values a client saw on a call of `current__progress`. */
      const progressOf = async (client: Client) => {
        const seen: number[] = [];
        await client.callTool({ name: "current__progress", arguments: { steps: 3 } }, undefined, {
          onprogress: (p) => void seen.push(p.progress),
        });
        return seen;
      };
      {
        await using session = await serve(box);
        expect(await progressOf(session.client)).toEqual([1, 2, 3]);
      }
      await using http = await startHttpHangar(box);
      const { client } = await http.connect();
      expect(await progressOf(client)).toEqual([1, 2, 3]);
    },
    TIMEOUT_MS,
  );
});
