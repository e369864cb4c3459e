// Issue 10, tasks-mrtr-composition: a provider that asks for input (input_required) before it answers a
// call with a task (tests/fixtures/tasks-server.ts, `test_tool_with_task`) is relayed for a 2026-07-28
// client with the tasks extension: the question reaches the client as Hangar's own sealed input_required,
// and the client's answer continues on the task path, to a task under Hangar's id that ends with the answer.
// A 2026 client without the extension is proxied as it is: a task-required tool answers it with -32021.
import { describe, expect, test } from "bun:test";
import { sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { modernRequest } from "./helpers/modern-http.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const TASKS = { elicitation: {}, extensions: { "io.modelcontextprotocol/tasks": {} } };

describe("Input rounds before a task (issue 10, tasks-mrtr-composition)", () => {
  test("a provider's input_required before its task reaches the client sealed, and the answered round becomes Hangar's task", async () => {
    using box = sandbox();
    box.write(
      "hangar.yaml",
      `providers:\n  - {"id":"jobs","prefix":false,"command":${JSON.stringify(fixture("tasks-server.ts"))}}\n`,
    );
    await using hangar = await startHttpHangar(box);
    const send = (id: number, method: string, params: Record<string, unknown>) =>
      modernRequest(hangar.base, id, method, params, { capabilities: TASKS });
    await waitFor(
      async () => JSON.stringify((await send(1, "tools/list", {})).body).includes("test_tool_with_task"),
      15_000,
      "the provider's tools to be listed",
    );

    const first = (await send(2, "tools/call", { name: "test_tool_with_task", arguments: {} })).body.result as {
      resultType: string;
      inputRequests: Record<string, unknown>;
      requestState: string;
      taskId?: string;
    };
    expect(first.resultType).toBe("input_required");
    expect(Object.keys(first.inputRequests)).toEqual(["user_name"]);
    expect(typeof first.requestState).toBe("string");
    expect(first.taskId).toBeUndefined();

    const second = await send(3, "tools/call", {
      name: "test_tool_with_task",
      arguments: {},
      inputResponses: { user_name: { action: "accept", content: { name: "Alice" } } },
      requestState: first.requestState,
    });
    const task = second.body.result as { resultType: string; taskId: string; requestState?: string };
    expect(task.resultType).toBe("task");
    expect(task.requestState).toBeUndefined();

    let final: { status?: string; result?: { content?: { text?: string }[] } } = {};
    await waitFor(
      async () => {
        final = (await send(4, "tasks/get", { taskId: task.taskId })).body.result as typeof final;
        return final.status === "completed";
      },
      10_000,
      "the task to complete",
    );
    expect(final.result?.content?.[0]?.text).toBe("Hello, Alice!");
  }, 30_000);

  test("a 2026 client without the tasks extension gets the provider's -32021 for a task-required tool, while hangar_call still awaits its task", async () => {
    using box = sandbox();
    box.write(
      "hangar.yaml",
      `providers:\n  - {"id":"jobs","prefix":false,"command":${JSON.stringify(fixture("tasks-server.ts"))}}\n`,
    );
    await using hangar = await startHttpHangar(box);
    const send = (id: number, method: string, params: Record<string, unknown>) =>
      modernRequest(hangar.base, id, method, params);
    await waitFor(
      async () => JSON.stringify((await send(1, "tools/list", {})).body).includes("failing_job"),
      15_000,
      "the provider's tools to be listed",
    );

    const direct = await send(2, "tools/call", { name: "failing_job", arguments: {} });
    expect(direct.status).toBe(400);
    expect(direct.body).toMatchObject({
      id: 2,
      error: { code: -32021, data: { requiredCapabilities: { extensions: { "io.modelcontextprotocol/tasks": {} } } } },
    });

    const batch = await send(3, "tools/call", {
      name: "hangar_call",
      arguments: { calls: [{ provider: "jobs", tool: "failing_job" }] },
    });
    const results = (batch.body.result as { structuredContent: { results: Record<string, unknown>[] } })
      .structuredContent.results;
    expect(results[0]).toMatchObject({ ok: false, error: { type: "tool_error", message: "the job failed" } });
  }, 30_000);
});
