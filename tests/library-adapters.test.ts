// The library's agent adapters (issue 19): the Vercel AI SDK's and LangChain's tool objects, driven
// directly (no model is called) against server-memory, the demo providers and the probe fixture.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ToolMessage } from "@langchain/core/messages";
import type { ToolExecutionOptions } from "ai";
import { hangarTools as aiSdkTools } from "../src/lib/ai-sdk.ts";
import { CallError, demoServers, Hangar, type McpServerEntry } from "../src/lib/index.ts";
import { hangarTools as langchainTools } from "../src/lib/langchain.ts";
import { fixture, npmServer } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const entry = ([command, ...args]: string[]): McpServerEntry => ({ command: command!, args });

/** The demo providers, server-memory (a fresh graph file) and the probe fixture logging to `log`. */
function servers(): { servers: Record<string, McpServerEntry>; log: string } {
  const dir = mkdtempSync(join(tmpdir(), "hangar-adapters-"));
  const log = join(dir, "probe.log");
  writeFileSync(log, "");
  return {
    log,
    servers: {
      ...demoServers(),
      memory: {
        ...entry(npmServer("@modelcontextprotocol/server-memory")),
        env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") },
      },
      probe: { ...entry(fixture("probe-server.ts")), env: { PROBE_LOG: log } },
    },
  };
}

/** What the AI SDK passes a tool's execute, without a model. */
const run = (abortSignal?: AbortSignal): ToolExecutionOptions<Record<string, never>> => ({
  toolCallId: "call-1",
  messages: [],
  context: {},
  ...(abortSignal ? { abortSignal } : {}),
});

describe("Vercel AI SDK adapter", () => {
  test("Each exposed provider tool is an AI SDK tool with its JSON Schema that calls the provider, plus hangar_call", async () => {
    const { servers: config } = servers();
    await using hangar = await Hangar.open({ mcpServers: config });
    const tools = await aiSdkTools(hangar);
    expect(Object.keys(tools)).toEqual(
      expect.arrayContaining([
        "demo__echo",
        "demo2__add",
        "memory__create_entities",
        "memory__read_graph",
        "hangar_call",
      ]),
    );
    const create = tools.memory__create_entities!;
    expect((create.inputSchema as { jsonSchema: unknown }).jsonSchema).toMatchObject({
      type: "object",
      properties: { entities: { type: "array" } },
    });
    const entities = [{ name: "hangar", entityType: "project", observations: ["runs MCP servers"] }];
    await create.execute!({ entities }, run());
    const graph = await tools.memory__read_graph!.execute!({}, run());
    expect(JSON.stringify(graph)).toContain("runs MCP servers");
    const batch = await tools.hangar_call!.execute!(
      {
        calls: [
          { provider: "demo", tool: "add", arguments: { a: 20, b: 22 } },
          { provider: "memory", tool: "search_nodes", arguments: { query: "hangar" } },
          { provider: "demo2", tool: "fail" },
        ],
      },
      run(),
    );
    expect(batch).toMatchObject({ total: 3, succeeded: 2, failed: 1 });
    expect((batch as { results: { ok: boolean }[] }).results.map((r) => r.ok)).toEqual([true, true, false]);
    const failed = await tools.demo__nope?.execute?.({}, run());
    expect(failed).toBeUndefined(); // no such tool is listed
  });

  test("The AI SDK's abort signal cancels the call, and the cancellation reaches the provider", async () => {
    const { servers: config, log } = servers();
    await using hangar = await Hangar.open({ mcpServers: config });
    const tools = await aiSdkTools(hangar, { providers: ["probe"], batch: false });
    expect(Object.keys(tools)).toContain("probe__wait");
    const controller = new AbortController();
    const running = Promise.resolve(tools.probe__wait!.execute!({}, run(controller.signal))).catch((e: unknown) => e);
    await waitFor(() => readFileSync(log, "utf8").includes("waiting"), 10_000, "the call to reach the provider");
    controller.abort();
    const error = await running;
    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ type: "cancelled" });
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"), 5_000, "the provider to see the cancellation");
  });

  test("A query narrows the AI SDK tools to the best matches", async () => {
    await using hangar = await Hangar.open({ mcpServers: servers().servers });
    const tools = await aiSdkTools(hangar, { query: "knowledge graph entities relations", limit: 3, batch: false });
    const names = Object.keys(tools);
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThanOrEqual(3);
    expect(names.every((name) => name.startsWith("memory__"))).toBe(true);
  });
});

describe("LangChain adapter", () => {
  test("Each exposed provider tool is a DynamicStructuredTool that calls the provider, plus hangar_call", async () => {
    const { servers: config } = servers();
    await using hangar = await Hangar.open({ mcpServers: config });
    const tools = await langchainTools(hangar);
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect([...byName.keys()]).toEqual(
      expect.arrayContaining(["demo__echo", "memory__create_entities", "hangar_call"]),
    );
    expect(byName.get("demo__add")?.schema).toMatchObject({ type: "object", properties: { a: { type: "number" } } });
    const entities = [{ name: "langchain", entityType: "library", observations: ["calls tools"] }];
    await byName.get("memory__create_entities")!.invoke({ entities });
    expect(await byName.get("demo__echo")!.invoke({ message: "hello" })).toBe("hello");
    // Invoked with a tool call, the answer comes back as a ToolMessage with the provider's answer as artifact.
    const message = await byName
      .get("memory__search_nodes")!
      .invoke({ type: "tool_call", id: "1", name: "memory__search_nodes", args: { query: "langchain" } });
    expect(message).toBeInstanceOf(ToolMessage);
    expect(String((message as ToolMessage).content)).toContain("calls tools");
    expect((message as ToolMessage).artifact).toMatchObject({ content: [{ type: "text" }] });
    const batch = JSON.parse(
      await byName.get("hangar_call")!.invoke({
        calls: [
          { provider: "demo", tool: "echo", arguments: { message: "a" } },
          { provider: "memory", tool: "read_graph" },
        ],
      }),
    );
    expect(batch).toMatchObject({ ok: true, total: 2, succeeded: 2 });
    await expect(byName.get("demo__fail")!.invoke({ message: "broken" })).rejects.toThrow("broken");
  });

  test("LangChain's run signal cancels the call, and the cancellation reaches the provider", async () => {
    const { servers: config, log } = servers();
    await using hangar = await Hangar.open({ mcpServers: config });
    const wait = (await langchainTools(hangar, { providers: ["probe"] })).find((t) => t.name === "probe__wait")!;
    const controller = new AbortController();
    const running = wait.invoke({}, { signal: controller.signal }).catch((e: unknown) => e);
    await waitFor(() => readFileSync(log, "utf8").includes("waiting"), 10_000, "the call to reach the provider");
    controller.abort();
    expect(await running).toBeInstanceOf(Error);
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"), 5_000, "the provider to see the cancellation");
  });
});
