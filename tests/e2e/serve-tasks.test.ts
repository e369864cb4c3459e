// Issue 10, tasks in front: a 2026-07-28 client that declares io.modelcontextprotocol/tasks gets a
// provider's task from a pass-through call through `hangar serve --http`, under Hangar's own sealed task id,
// and polls it (tasks/get), cancels it (tasks/cancel) through Hangar — on another replica with the same
// token too, since the owner travels in the id. A forged or altered id is refused, and so is a client
// that did not declare the extension. The provider is tests/fixtures/tasks-server.ts.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { hangarBinary, killLeftovers, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { descendants, waitFor } from "../helpers/processes.ts";

const TASKS = "io.modelcontextprotocol/tasks";
const TOKEN = "tasks-test-token";

/**
 * A sandbox whose hangar.yaml has the tasks fixture as provider "jobs" (with `settings`, and `more`
 * environment), logging to `tasks.log`; its processes share their tasks in `store/` (a provider two
 * replicas reach alike).
 */
function tasksBox(
  settings: Record<string, unknown> = {},
  more: Record<string, string> = {},
): Sandbox & { lines(): string[] } {
  const box = sandbox();
  const store = join(box.root, "store");
  mkdirSync(store);
  const env = { TASKS_LOG: join(box.root, "tasks.log"), TASKS_STORE: store, ...more };
  box.write(
    "hangar.yaml",
    `providers:\n  - ${JSON.stringify({ id: "jobs", command: fixture("tasks-server.ts"), env, ...settings })}\n`,
  );
  const lines = () => {
    try {
      return readFileSync(join(box.root, "tasks.log"), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  return Object.assign(box, { lines });
}

type Rpc = { result?: Record<string, unknown> & { taskId?: string; status?: string }; error?: { code: number } };

/** A sessionless 2026-07-28 client of `base`, declaring the tasks extension unless `tasks` is false. */
function modernClient(base: string, tasks = true) {
  let id = 0;
  return async (method: string, params: Record<string, unknown>): Promise<Rpc> => {
    // SEP-2243: the name a request is about goes in Mcp-Name too (a tool's name, a task's id).
    const name = (params.name ?? params.taskId) as string | undefined;
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "tasks-test", version: "1.0.0" },
      "io.modelcontextprotocol/clientCapabilities": tasks ? { extensions: { [TASKS]: {} } } : {},
    };
    const response = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${TOKEN}`,
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": method,
        ...(name ? { "mcp-name": name } : {}),
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: { ...params, _meta: meta } }),
    });
    const text = await response.text();
    // An SSE answer carries the response as its last `data:` line.
    const data = text.startsWith("{")
      ? text
      : (text.split("\n").findLast((l) => l.startsWith("data: ")) ?? "").slice(6);
    return JSON.parse(data) as Rpc;
  };
}

describe("hangar serve relays provider tasks to 2026 clients (issue 10, tasks)", () => {
  test("a pass-through call becomes the provider's task under Hangar's id, polled to its result on any replica; a forged id is refused", async () => {
    await using box = tasksBox();
    await using one = await startHttpHangar(box, ["--token", TOKEN]);
    await using two = await startHttpHangar(box, ["--token", TOKEN]);
    const first = modernClient(one.base);
    const second = modernClient(two.base);

    const discovered = await first("server/discover", {});
    expect(discovered.result?.capabilities).toMatchObject({ extensions: { [TASKS]: {} } });

    const created = await first("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 0.3, label: "r" } });
    expect(created.result).toMatchObject({ resultType: "task", status: "working" });
    const taskId = created.result!.taskId!;
    const upstreamId = box
      .lines()
      .find((l) => l.startsWith("task "))!
      .split(" ")[1]!;
    expect(taskId).not.toContain(upstreamId);

    // Polled on the other replica: no session, no affinity.
    let task: Rpc = {};
    await waitFor(
      async () => {
        task = await second("tasks/get", { taskId });
        return task.result?.status !== "working";
      },
      10_000,
      "the task to end",
    );
    expect(task.result).toMatchObject({
      taskId,
      status: "completed",
      result: { content: [{ type: "text", text: "computed r" }] },
    });

    // A forged id (the provider's own, or Hangar's with another provider or task inside) is refused.
    expect((await second("tasks/get", { taskId: upstreamId })).error?.code).toBe(-32602);
    const [tag, provider, , mac] = taskId.split(".");
    const other = Buffer.from("another-task").toString("base64url");
    expect((await second("tasks/get", { taskId: [tag, provider, other, mac].join(".") })).error?.code).toBe(-32602);
    // A client without the extension cannot use the task methods, and its call is awaited as before.
    const plain = modernClient(one.base, false);
    expect((await plain("tasks/get", { taskId })).error?.code).toBe(-32021);
    const awaited = await plain("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 0 } });
    expect(awaited.result).toMatchObject({ content: [{ type: "text", text: "computed" }] });
    expect(awaited.result?.taskId).toBeUndefined();
  }, 30_000);

  test("replicas that share only a session key (no token) poll each other's tasks", async () => {
    await using box = tasksBox();
    const key = box.write("session.key", `${"k".repeat(48)}\n`);
    await using one = await startHttpHangar(box, ["--session-key-file", key]);
    await using two = await startHttpHangar(box, ["--session-key-file", key]);
    const created = await modernClient(one.base)("tools/call", {
      name: "jobs__slow_compute",
      arguments: { seconds: 0, label: "k" },
    });
    const taskId = created.result!.taskId!;
    let task: Rpc = {};
    await waitFor(
      async () => {
        task = await modernClient(two.base)("tasks/get", { taskId });
        return task.result?.status !== "working";
      },
      10_000,
      "the task to end on the other replica",
    );
    expect(task.result).toMatchObject({ taskId, status: "completed" });
  }, 30_000);

  test("tasks/cancel through Hangar reaches the provider's task", async () => {
    await using box = tasksBox();
    await using hangar = await startHttpHangar(box, ["--token", TOKEN]);
    const client = modernClient(hangar.base);
    const created = await client("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 60 } });
    const taskId = created.result!.taskId!;
    const ack = await client("tasks/cancel", { taskId });
    expect(ack.result).toMatchObject({ resultType: "complete" });
    expect(ack.result?.taskId).toBeUndefined();
    expect((await client("tasks/get", { taskId })).result).toMatchObject({ taskId, status: "cancelled" });
    await waitFor(() => box.lines().some((l) => l.startsWith("cancelled ")), 5_000, "the provider to cancel the task");
  }, 30_000);

  test("over stdio a 2026 client with tasks gets the task and polls it to its result", async () => {
    using box = tasksBox();
    const proc = Bun.spawn([hangarBinary(), "serve"], {
      cwd: box.cwd,
      env: box.env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
    });
    const answers = new Map<number, Rpc>();
    const reading = (async () => {
      let buffer = "";
      for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
          const message = JSON.parse(buffer.slice(0, end)) as Rpc & { id?: number };
          buffer = buffer.slice(end + 1);
          if (typeof message.id === "number") answers.set(message.id, message);
        }
      }
    })();
    let id = 0;
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "tasks-test", version: "1.0.0" },
      "io.modelcontextprotocol/clientCapabilities": { extensions: { [TASKS]: {} } },
    };
    const request = async (method: string, params: Record<string, unknown>): Promise<Rpc> => {
      const mine = ++id;
      proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: mine, method, params: { ...params, _meta: meta } })}\n`);
      await waitFor(() => answers.has(mine), 15_000, `the answer to ${method}`);
      return answers.get(mine)!;
    };
    try {
      expect((await request("server/discover", {})).result?.capabilities).toMatchObject({
        extensions: { [TASKS]: {} },
      });
      const created = await request("tools/call", {
        name: "jobs__slow_compute",
        arguments: { seconds: 0.2, label: "s" },
      });
      expect(created.result).toMatchObject({ resultType: "task" });
      const taskId = created.result!.taskId!;
      let task: Rpc = {};
      await waitFor(
        async () => {
          task = await request("tasks/get", { taskId });
          return task.result?.status !== "working";
        },
        10_000,
        "the task to end",
      );
      expect(task.result).toMatchObject({ taskId, status: "completed", result: { content: [{ text: "computed s" }] } });
    } finally {
      const below = descendants(proc.pid);
      proc.stdin.end();
      proc.kill();
      await reading.catch(() => {});
      killLeftovers(below);
    }
  }, 30_000);
});

describe("a relayed task holds its provider and its call takes the provider's permit", () => {
  /** Provider "jobs" as `hangar_status` shows it to `client`. */
  const jobsOf = async (client: ReturnType<typeof modernClient>) => {
    const status = await client("tools/call", { name: "hangar_status", arguments: { provider: "jobs" } });
    const providers = (status.result!.structuredContent as { providers: Record<string, unknown>[] }).providers;
    return providers[0] as { state: string; in_flight: number; queued: number; starts: number };
  };
  /** What the provider's store says of its task `upstream`. */
  const stored = (box: Sandbox, upstream: string) => {
    try {
      return (JSON.parse(readFileSync(join(box.root, "store", `${upstream}.json`), "utf8")) as { status: string })
        .status;
    } catch {
      return "";
    }
  };
  const upstreamOf = (box: Sandbox & { lines(): string[] }) =>
    box
      .lines()
      .findLast((l) => l.startsWith("task "))!
      .split(" ")[1]!;

  test("a task whose client does not poll for longer than idle_ttl_s runs to its end, and the provider idles once it is seen completed", async () => {
    await using box = tasksBox({ idle_ttl_s: 1 });
    await using hangar = await startHttpHangar(box, ["--token", TOKEN]);
    const client = modernClient(hangar.base);
    const created = await client("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 2.5, label: "l" } });
    const taskId = created.result!.taskId!;
    // Nobody polls while it runs (2.5 s, past the 1 s idle TTL): the provider must still be there to finish it.
    await waitFor(() => stored(box, upstreamOf(box)) === "completed", 15_000, "the provider to complete the task");
    const task = await client("tasks/get", { taskId });
    expect(task.result).toMatchObject({ taskId, status: "completed", result: { content: [{ text: "computed l" }] } });
    expect((await jobsOf(client)).starts).toBe(1);
    // Seen completed: nothing holds the provider any more.
    await waitFor(async () => (await jobsOf(client)).state === "stopped", 10_000, "the idle provider to stop");
  }, 30_000);

  test("a task's hold ends at its ttlMs, and at tasks/cancel", async () => {
    await using box = tasksBox({ idle_ttl_s: 1 }, { TASKS_TTL_MS: "1500" });
    await using hangar = await startHttpHangar(box, ["--token", TOKEN]);
    const client = modernClient(hangar.base);
    await client("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 60 } });
    await waitFor(async () => (await jobsOf(client)).state === "stopped", 10_000, "the provider to stop past the ttl");

    const created = await client("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 60 } });
    expect((await jobsOf(client)).starts).toBe(2);
    await client("tasks/cancel", { taskId: created.result!.taskId! });
    await waitFor(
      async () => (await jobsOf(client)).state === "stopped",
      10_000,
      "the provider to stop once cancelled",
    );
  }, 30_000);

  test("a call relayed as a task waits for the provider's max_concurrency permit like any call", async () => {
    await using box = tasksBox({ max_concurrency: 1 });
    await using hangar = await startHttpHangar(box, ["--token", TOKEN]);
    const client = modernClient(hangar.base);
    // Without the extension the call runs to its end, holding the provider's only permit meanwhile.
    const plain = modernClient(hangar.base, false)("tools/call", {
      name: "jobs__slow_compute",
      arguments: { seconds: 2 },
    });
    await waitFor(async () => (await jobsOf(client)).in_flight === 1, 10_000, "the plain call to run");
    const relayed = client("tools/call", { name: "jobs__slow_compute", arguments: { seconds: 0 } });
    await waitFor(async () => (await jobsOf(client)).queued === 1, 10_000, "the relayed call to wait for the permit");
    expect((await plain).result).toMatchObject({ content: [{ text: "computed" }] });
    expect((await relayed).result).toMatchObject({ resultType: "task" });
    expect(box.lines().filter((l) => l.startsWith("task "))).toHaveLength(1);
  }, 30_000);
});
