// `hangar serve` end to end: the compiled binary over real stdio, driven by the SDK client, with the demo
// provider, the probe fixture and the reference servers from npm behind it.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type Progress,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { hangarBinary, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { fixture, npmServer } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { hangarCall, type ServeSession, serve, textOf } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** A YAML provider entry (JSON is YAML). */
function entry(id: string, command: readonly string[], extra: Record<string, unknown> = {}): string {
  return `  - ${JSON.stringify({ id, command, ...extra })}\n`;
}
const demo = (id: string, extra: Record<string, unknown> = {}) =>
  entry(id, [hangarBinary(), "demo-provider", "--name", id], extra);
const probe = (box: Sandbox, extra: Record<string, unknown> = {}) =>
  entry("probe", fixture("probe-server.ts"), { env: { PROBE_LOG: join(box.root, "probe.log") }, ...extra });
const probeLog = (box: Sandbox) => {
  try {
    return readFileSync(join(box.root, "probe.log"), "utf8");
  } catch {
    return "";
  }
};

function config(box: Sandbox, providers: string[]): void {
  box.write("hangar.yaml", `providers:\n${providers.join("")}`);
}

describe("hangar serve: hangar_call", () => {
  test(
    "runs one batch across server-everything, -filesystem, -memory and the demo provider, in call order",
    async () => {
      using box = sandbox();
      writeFileSync(join(box.root, "a.txt"), "alpha");
      config(box, [
        entry("everything", npmServer("@modelcontextprotocol/server-everything")),
        entry("fs", [...npmServer("@modelcontextprotocol/server-filesystem"), box.root]),
        entry("memory", npmServer("@modelcontextprotocol/server-memory"), {
          env: { MEMORY_FILE_PATH: join(box.root, "memory.jsonl") },
        }),
        demo("demo"),
      ]);
      await using session = await serve(box);
      const { batch, result } = await hangarCall(session, [
        { provider: "everything", tool: "echo", arguments: { message: "one" }, id: "echo" },
        { provider: "fs", tool: "read_text_file", arguments: { path: join(box.root, "a.txt") }, id: "read" },
        {
          provider: "memory",
          tool: "create_entities",
          arguments: { entities: [{ name: "Hangar", entityType: "tool", observations: [] }] },
          id: "create",
        },
        { provider: "demo", tool: "add", arguments: { a: 2, b: 40 }, id: "add" },
      ]);
      expect(batch).toMatchObject({ ok: true, total: 4, succeeded: 4, failed: 0 });
      expect(batch.results.map((r) => r.id)).toEqual(["echo", "read", "create", "add"]);
      expect(textOf(batch.results[0]!.result)).toBe("Echo: one");
      expect(textOf(batch.results[1]!.result)).toBe("alpha");
      expect(textOf(batch.results[3]!.result)).toBe("42");
      expect(JSON.parse(textOf(result))).toEqual(batch);
    },
    TIMEOUT_MS,
  );

  test(
    "a tool error keeps its content; unknown provider, unknown tool and invalid arguments fail alone",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box);
      const { batch, result } = await hangarCall(session, [
        { provider: "demo", tool: "fail", arguments: { message: "disk full" } },
        { provider: "dmeo", tool: "echo", arguments: { message: "x" } },
        { provider: "demo", tool: "ecko", arguments: { message: "x" } },
        { provider: "demo", tool: "add", arguments: { a: "two" } },
        { provider: "demo", tool: "echo", arguments: { message: "still here" } },
      ]);
      expect(result.isError).toBeFalsy();
      expect(batch).toMatchObject({ ok: false, total: 5, succeeded: 1, failed: 4 });
      expect(batch.results.map((r) => r.error?.type)).toEqual([
        "tool_error",
        "unknown_provider",
        "unknown_tool",
        "invalid_arguments",
        undefined,
      ]);
      expect(textOf(batch.results[0]!.result)).toContain("disk full");
      expect(batch.results[1]!.error!.message).toContain('Did you mean "demo"?');
      expect(batch.results[2]!.error!.message).toContain('Did you mean "echo"?');
      expect(textOf(batch.results[4]!.result)).toBe("still here");
    },
    TIMEOUT_MS,
  );

  test(
    "a malformed batch is rejected whole with one clear message",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box);
      const result = await session.client.callTool({ name: "hangar_call", arguments: { calls: "not a list" } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toStartWith("Invalid batch: calls:");
    },
    TIMEOUT_MS,
  );

  test(
    "a call past its timeout_s ends as timeout while the other call succeeds",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box);
      const { batch } = await hangarCall(session, [
        { provider: "demo", tool: "sleep", arguments: { ms: 30_000 }, timeout_s: 0.5 },
        { provider: "demo", tool: "echo", arguments: { message: "quick" } },
      ]);
      expect(batch.results.map((r) => r.error?.type)).toEqual(["timeout", undefined]);
    },
    TIMEOUT_MS,
  );

  test(
    "one progress notification per finished call, counting up to the total",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box);
      const seen: Progress[] = [];
      const calls = [30, 10, 20].map((ms) => ({ provider: "demo", tool: "sleep", arguments: { ms } }));
      await session.client.callTool({ name: "hangar_call", arguments: { calls } }, CallToolResultSchema, {
        onprogress: (p) => seen.push(p),
      });
      expect(seen.map((p) => [p.progress, p.total])).toEqual([
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
      expect(seen.every((p) => /^demo\/sleep ok$/.test(p.message ?? ""))).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "cancelling hangar_call cancels the running call upstream",
    async () => {
      using box = sandbox();
      config(box, [probe(box)]);
      await using session = await serve(box);
      const abort = new AbortController();
      const call = session.client.callTool(
        { name: "hangar_call", arguments: { calls: [{ provider: "probe", tool: "wait" }] } },
        CallToolResultSchema,
        {
          signal: abort.signal,
        },
      );
      await waitFor(() => probeLog(box).includes("waiting"), 10_000, "the provider to receive the call");
      abort.abort();
      await expect(call).rejects.toThrow();
      await waitFor(() => probeLog(box).includes("cancelled"), 10_000, "the provider to see the cancellation");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: provider tools listed directly", () => {
  test(
    "tools appear as <id>__<tool> with their schemas and annotations, and a call answers like the provider",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box);
      await waitFor(
        async () => (await session.client.listTools()).tools.some((t) => t.name === "demo__add"),
        10_000,
        "demo__add to be listed",
      );
      const { tools } = await session.client.listTools();
      const add = tools.find((t) => t.name === "demo__add")!;
      expect(add.inputSchema.properties).toHaveProperty("a");
      expect(add.annotations?.readOnlyHint).toBe(true);
      const result = await session.client.callTool({ name: "demo__add", arguments: { a: 1, b: 2 } });
      expect(result).toEqual({ content: [{ type: "text", text: "3" }], structuredContent: { sum: 3 } });
      const failed = await session.client.callTool({ name: "demo__add", arguments: { a: "x" } });
      expect(failed.isError).toBe(true);
      expect(textOf(failed)).toStartWith("invalid_arguments: ");
      await expect(session.client.callTool({ name: "demo__nope" })).rejects.toThrow(/Unknown tool "demo__nope"/);
    },
    TIMEOUT_MS,
  );

  test(
    "prefix: false lists a provider's own names unless they collide; deny globs hide tools everywhere",
    async () => {
      using box = sandbox();
      config(box, [demo("demo", { tools: { deny: ["fail"] } }), probe(box, { prefix: false })]);
      await using session = await serve(box);
      await waitFor(
        async () => (await session.client.listTools()).tools.some((t) => t.name === "wait"),
        10_000,
        "probe's tools to be listed",
      );
      const names = (await session.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("wait");
      expect(names).toContain("probe__echo");
      expect(names).toContain("demo__echo");
      expect(names).not.toContain("echo");
      expect(names).not.toContain("demo__fail");
      const { batch: denied } = await hangarCall(session, [{ provider: "demo", tool: "fail" }]);
      expect(denied.results[0]!.error!.type).toBe("denied");
    },
    TIMEOUT_MS,
  );

  test(
    "a pass-through call forwards the provider's progress with the caller's token, and its log messages",
    async () => {
      using box = sandbox();
      config(box, [probe(box)]);
      await using session = await serve(box);
      await waitFor(
        async () => (await session.client.listTools()).tools.some((t) => t.name === "probe__progress"),
        10_000,
        "probe's tools",
      );
      const seen: Progress[] = [];
      const result = await session.client.callTool(
        { name: "probe__progress", arguments: { steps: 3 } },
        CallToolResultSchema,
        { onprogress: (p) => seen.push(p) },
      );
      expect(textOf(result)).toBe("did 3 steps");
      expect(seen.map((p) => p.progress)).toEqual([1, 2, 3]);
      await session.client.callTool({ name: "probe__log", arguments: { text: "disk almost full" } });
      await waitFor(() => session.logs.length > 0, 5_000, "the log message");
      expect(session.logs[0]).toMatchObject({ level: "warning", logger: "probe/probe", data: "disk almost full" });
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: prompts, resources, completion and sampling of server-everything", () => {
  const everything = () => entry("everything", npmServer("@modelcontextprotocol/server-everything"));

  test(
    "prompts and resources are listed under mapped names and URIs and read back through the owner",
    async () => {
      using box = sandbox();
      config(box, [everything()]);
      await using session = await serve(box);
      await waitFor(
        async () => (await session.client.listPrompts()).prompts.length > 0,
        15_000,
        "everything's prompts",
      );
      const prompts = (await session.client.listPrompts()).prompts.map((p) => p.name);
      expect(prompts).toContain("everything__simple-prompt");
      const prompt = await session.client.getPrompt({ name: "everything__args-prompt", arguments: { city: "Oslo" } });
      expect(JSON.stringify(prompt.messages)).toContain("Oslo");

      const { resources } = await session.client.listResources();
      expect(resources.length).toBeGreaterThan(0);
      expect(resources.every((r) => r.uri.startsWith("hangar://everything/"))).toBe(true);
      const read = await session.client.readResource({ uri: resources[0]!.uri });
      expect(read.contents[0]!.uri).toBe(resources[0]!.uri);

      const { resourceTemplates } = await session.client.listResourceTemplates();
      const template = resourceTemplates.find((t) => t.uriTemplate.includes("{"))!;
      expect(template.uriTemplate).toStartWith("hangar://everything/");
      const fromTemplate = await session.client.readResource({ uri: template.uriTemplate.replace(/\{[^}]+\}/, "1") });
      expect(fromTemplate.contents.length).toBe(1);

      const completion = await session.client.complete({
        ref: { type: "ref/prompt", name: "everything__completable-prompt" },
        argument: { name: "department", value: "E" },
      });
      expect(completion.completion.values).toContain("Engineering");
    },
    TIMEOUT_MS,
  );

  test(
    "a client that subscribes to a resource hears its updates under the URI it knows",
    async () => {
      using box = sandbox();
      config(box, [everything()]);
      const updates: string[] = [];
      await using session = await serve(box, {
        setup: (client) =>
          client.setNotificationHandler(
            ResourceUpdatedNotificationSchema,
            async (n) => void updates.push(n.params.uri),
          ),
      });
      expect(session.client.getServerCapabilities()?.resources?.subscribe).toBe(true);
      const { resources } = await session.client.listResources();
      const uri = resources[0]!.uri;
      await session.client.subscribeResource({ uri });
      await session.client.callTool({ name: "everything__toggle-subscriber-updates", arguments: {} });
      await waitFor(() => updates.length > 0, 10_000, "resources/updated");
      expect(updates[0]).toBe(uri);
      await session.client.unsubscribeResource({ uri });
    },
    TIMEOUT_MS,
  );

  test(
    "a provider's sampling request reaches a client that declared sampling, and the answer goes back",
    async () => {
      using box = sandbox();
      config(box, [everything()]);
      await using session = await serve(box, {
        capabilities: { sampling: {} },
        setup: (client) =>
          client.setRequestHandler(CreateMessageRequestSchema, async () => ({
            role: "assistant",
            content: { type: "text", text: "sampled by the test client" },
            model: "test-model",
          })),
      });
      const { batch } = await hangarCall(session, [
        { provider: "everything", tool: "trigger-sampling-request", arguments: { prompt: "hi" } },
      ]);
      expect(batch.ok).toBe(true);
      expect(textOf(batch.results[0]!.result)).toContain("sampled by the test client");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: requests from providers to the client", () => {
  const everything = () => entry("everything", npmServer("@modelcontextprotocol/server-everything"));
  const call = async (session: ServeSession, tool: string, args: Record<string, unknown> = {}) =>
    (await hangarCall(session, [{ provider: "everything", tool, arguments: args }])).batch.results[0]!.result;

  test(
    "elicitation and roots reach a client that declared them, the answers go back, and a roots change reaches the provider",
    async () => {
      using box = sandbox();
      let root = "file:///work/project";
      config(box, [everything()]);
      await using session = await serve(box, {
        capabilities: { elicitation: {}, roots: { listChanged: true } },
        setup: (client) => {
          client.setRequestHandler(ElicitRequestSchema, async () => ({
            action: "accept",
            content: { name: "Ada Lovelace" },
          }));
          client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: root, name: "project" }] }));
        },
      });
      expect(JSON.stringify(await call(session, "trigger-elicitation-request"))).toContain("Name: Ada Lovelace");
      expect(textOf(await call(session, "get-roots-list"))).toContain("file:///work/project");
      root = "file:///work/other";
      await session.client.sendRootsListChanged();
      await waitFor(
        async () => textOf(await call(session, "get-roots-list")).includes("file:///work/other"),
        10_000,
        "the provider to read the new roots",
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a provider that asks for sampling the client did not declare is refused, and the call ends cleanly",
    async () => {
      using box = sandbox();
      config(box, [probe(box)]);
      await using session = await serve(box);
      const { batch } = await hangarCall(session, [
        { provider: "probe", tool: "sample" },
        { provider: "probe", tool: "echo", arguments: { text: "ok" } },
      ]);
      expect(batch.results[0]!.error?.type).toBe("tool_error");
      expect(textOf(batch.results[0]!.result)).toMatch(/^refused: .*Method not found/);
      expect(textOf(batch.results[1]!.result)).toBe("ok");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: hangar_tools and hangar_status", () => {
  test(
    "hangar_tools lists providers with state and tools, and ranks them by a query; hangar_status shows health",
    async () => {
      using box = sandbox();
      config(box, [demo("demo"), demo("demo2")]);
      await using session = await serve(box);
      const tools = await session.client.callTool({ name: "hangar_tools", arguments: {} });
      const view = tools.structuredContent as {
        providers: { id: string; state: string; tools: { name: string; inputSchema: unknown }[] }[];
      };
      expect(view.providers.map((p) => p.id)).toEqual(["demo", "demo2"]);
      expect(view.providers.every((p) => p.tools.some((t) => t.name === "add"))).toBe(true);
      const found = await session.client.callTool({ name: "hangar_tools", arguments: { query: "sum of two numbers" } });
      const hits = (found.structuredContent as { tools: { provider: string; name: string; inputSchema: unknown }[] })
        .tools;
      expect(hits.slice(0, 2).map((t) => `${t.provider}/${t.name}`)).toEqual(["demo/add", "demo2/add"]);
      expect(hits[0]!.inputSchema).toMatchObject({ type: "object" });

      const unknown = await session.client.callTool({ name: "hangar_tools", arguments: { provider: "nope" } });
      expect(unknown.isError).toBe(true);

      await hangarCall(session, [{ provider: "demo", tool: "echo", arguments: { message: "x" } }]);
      const status = await session.client.callTool({ name: "hangar_status", arguments: { provider: "demo" } });
      const providers = (status.structuredContent as { providers: Record<string, unknown>[] }).providers;
      expect(providers).toHaveLength(1);
      expect(providers[0]).toMatchObject({
        id: "demo",
        kind: "stdio",
        state: "ready",
        circuit: { state: "closed" },
        in_flight: 0,
        queued: 0,
        crashes: 0,
      });
      expect(providers[0]!.calls).toBeGreaterThanOrEqual(1);
      const latency = providers[0]!.call_latency_ms as { last: number; average: number };
      expect(latency.last).toBeGreaterThan(0);
      expect(latency.average).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  test(
    "Hangar's own tools ignore a top-level key a client adds (Gemini CLI's wait_for_previous; issue 9 item 19); their schemas and a batch's calls stay strict",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box);
      const extra = { wait_for_previous: true };
      const batch = await session.client.callTool({
        name: "hangar_call",
        arguments: { calls: [{ provider: "demo", tool: "echo", arguments: { message: "hi" } }], ...extra },
      });
      expect(batch.isError).toBeUndefined();
      expect((batch.structuredContent as { ok: boolean }).ok).toBe(true);
      const tools = await session.client.callTool({ name: "hangar_tools", arguments: { provider: "demo", ...extra } });
      expect(tools.isError).toBeUndefined();
      expect((tools.structuredContent as { providers: { id: string }[] }).providers.map((p) => p.id)).toEqual(["demo"]);
      const status = await session.client.callTool({
        name: "hangar_status",
        arguments: { provider: "demo", ...extra },
      });
      expect(status.isError).toBeUndefined();
      expect((status.structuredContent as { providers: unknown[] }).providers).toHaveLength(1);
      const kept = await session.client.callTool({
        name: "hangar_result",
        arguments: { batch_id: (batch.structuredContent as { batch_id: string }).batch_id, index: 0, ...extra },
      });
      // Its arguments were accepted: the answer is that nothing was trimmed, not that they were invalid.
      expect(textOf(kept)).toStartWith("No result is kept for call 0");

      const nested = await session.client.callTool({
        name: "hangar_call",
        arguments: { calls: [{ provider: "demo", tool: "echo", arguments: { message: "hi" }, typo: 1 }], ...extra },
      });
      expect(nested.isError).toBe(true);
      expect(textOf(nested)).toContain("typo");
      const listed = (await session.client.listTools()).tools.filter((t) => t.name.startsWith("hangar_"));
      expect(listed.map((tool) => tool.name)).toEqual([
        "hangar_call",
        "hangar_tools",
        "hangar_status",
        "hangar_result",
      ]);
      for (const tool of listed) expect(tool.inputSchema.additionalProperties).toBe(false);
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve --metrics-port", () => {
  test(
    "serves Prometheus metrics, /healthz and /readyz on 127.0.0.1 beside stdio, counting the calls served",
    async () => {
      using box = sandbox();
      config(box, [demo("demo")]);
      await using session = await serve(box, { args: ["--metrics-port", "0"] });
      await waitFor(
        () => /Hangar metrics on (\S+)\/metrics/.test(session.stderr()),
        10_000,
        "the metrics URL on stderr",
      );
      const base = /Hangar metrics on (\S+)\/metrics/.exec(session.stderr())![1]!;
      await session.client.callTool({ name: "demo__echo", arguments: { message: "counted" } });
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toMatch(/hangar_calls_total\{[^}]*provider="demo"[^}]*tool="echo"[^}]*\} 1/);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ status: "ready" });
      const rebound = await fetch(`${base}/metrics`, { headers: { host: "evil.example" } });
      expect(rebound.status).toBe(403);
    },
    TIMEOUT_MS,
  );
});
