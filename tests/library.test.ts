// Hangar as a library (issue 19), in-process under Bun: the demo providers, server-memory and the probe
// fixture behind `Hangar.open`, driven through the public entry only (src/lib/index.ts).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CallError,
  ConfigError,
  demoServers,
  Hangar,
  InvalidBatchError,
  type McpServerEntry,
} from "../src/lib/index.ts";
import { fixture, npmServer } from "./helpers/paths.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";

const entry = ([command, ...args]: string[]): McpServerEntry => ({ command: command!, args });
const memory = () => entry(npmServer("@modelcontextprotocol/server-memory"));

/** The demo providers and server-memory (its graph in a fresh file). */
function servers(): Record<string, McpServerEntry> {
  const dir = mkdtempSync(join(tmpdir(), "hangar-lib-"));
  return { ...demoServers(), memory: { ...memory(), env: { MEMORY_FILE_PATH: join(dir, "memory.jsonl") } } };
}

/** A probe server whose `wait` call logs "waiting" and, when cancelled, "cancelled" to the returned file. */
function probe(): { entry: McpServerEntry; log: string } {
  const log = join(mkdtempSync(join(tmpdir(), "hangar-lib-probe-")), "log");
  writeFileSync(log, "");
  return { entry: { ...entry(fixture("probe-server.ts")), env: { PROBE_LOG: log } }, log };
}

/** The pids of every running provider. */
function pids(hangar: Hangar): number[] {
  return hangar.status().providers.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
}

describe("Hangar library", () => {
  test("A batch across the demo providers and server-memory comes back in call order, failures in their results", async () => {
    await using hangar = await Hangar.open({ mcpServers: servers() });
    const entity = { name: "hangar", entityType: "project", observations: ["a gateway"] };
    const batch = await hangar.call([
      { provider: "demo", tool: "sleep", arguments: { ms: 300 } },
      { provider: "demo2", tool: "echo", arguments: { message: "hello" }, id: "hi" },
      { provider: "memory", tool: "create_entities", arguments: { entities: [entity] } },
      { provider: "demo", tool: "fail", arguments: { message: "no" } },
      { provider: "nope", tool: "echo" },
    ]);
    expect(batch).toMatchObject({ ok: false, total: 5, succeeded: 3, failed: 2 });
    expect(batch.results.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
      [3, false],
      [4, false],
    ]);
    expect(batch.results[1]).toMatchObject({ id: "hi", result: { content: [{ type: "text", text: "hello" }] } });
    expect(batch.results[3]?.error?.type).toBe("tool_error");
    expect(batch.results[4]?.error?.type).toBe("unknown_provider");
    const graph = await hangar.callTool("memory", "read_graph");
    expect(JSON.stringify(graph.structuredContent ?? graph.content)).toContain("a gateway");
  });

  test("stream yields each result as its call settles, and result() still gives them in call order", async () => {
    await using hangar = await Hangar.open({ mcpServers: demoServers() });
    const batch = hangar.stream([
      { provider: "demo", tool: "sleep", arguments: { ms: 1500 } },
      { provider: "demo2", tool: "echo", arguments: { message: "first" } },
    ]);
    expect(batch.total).toBe(2);
    const seen: number[] = [];
    for await (const result of batch) seen.push(result.index);
    expect(seen).toEqual([1, 0]);
    const whole = await batch.result();
    expect(whole.results.map((r) => r.index)).toEqual([0, 1]);
    expect(whole.ok).toBe(true);
  });

  test("callTool resolves with the answer, an isError answer as data, and rejects with a typed CallError", async () => {
    await using hangar = await Hangar.open({ mcpServers: demoServers() });
    const sum = await hangar.callTool("demo", "add", { a: 2, b: 40 });
    expect(sum.structuredContent).toEqual({ sum: 42 });
    const failed = await hangar.callTool("demo", "fail", { message: "on purpose" });
    expect(failed).toMatchObject({ isError: true, content: [{ text: "on purpose" }] });
    const unknown = await hangar.callTool("demo", "nope").catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(CallError);
    expect(unknown).toMatchObject({ type: "unknown_tool" });
    const late = await hangar.callTool("demo", "sleep", { ms: 10_000 }, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(late).toMatchObject({ type: "timeout", retryable: true });
  });

  test("tools() lists every provider's tools; with a query the best matches come first", async () => {
    await using hangar = await Hangar.open({ mcpServers: servers() });
    const all = await hangar.tools();
    const names = all.map((t) => `${t.provider}/${t.name}`);
    expect(names).toContain("demo/echo");
    expect(names).toContain("demo2/sleep");
    expect(names).toContain("memory/create_entities");
    expect(all.find((t) => t.name === "add")?.inputSchema).toMatchObject({ type: "object" });
    const found = await hangar.tools({ query: "store entities in the knowledge graph", limit: 3 });
    expect(found[0]).toMatchObject({ provider: "memory" });
    expect(found[0]?.score).toBeGreaterThan(0);
    expect(found.length).toBeLessThanOrEqual(3);
    const onlyDemo = await hangar.tools({ provider: "demo2" });
    expect(new Set(onlyDemo.map((t) => t.provider))).toEqual(new Set(["demo2"]));
  });

  test("Aborting the signal of a batch cancels its calls, and the cancellation reaches the provider", async () => {
    const { entry: probeEntry, log } = probe();
    await using hangar = await Hangar.open({ mcpServers: { probe: probeEntry } });
    const controller = new AbortController();
    const running = hangar.call([{ provider: "probe", tool: "wait" }], { signal: controller.signal });
    await waitFor(() => readFileSync(log, "utf8").includes("waiting"), 10_000, "the call to reach the provider");
    controller.abort();
    const batch = await running;
    expect(batch.results[0]?.error?.type).toBe("cancelled");
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"), 5_000, "the provider to see the cancellation");
  });

  test("timeoutMs is the batch's deadline: calls still running end with timeout", async () => {
    await using hangar = await Hangar.open({ mcpServers: demoServers() });
    const batch = await hangar.call(
      [
        { provider: "demo", tool: "sleep", arguments: { ms: 20_000 } },
        { provider: "demo2", tool: "echo", arguments: { message: "in time" } },
      ],
      { timeoutMs: 1_500 },
    );
    expect(batch.results[0]?.error?.type).toBe("timeout");
    expect(batch.results[1]?.ok).toBe(true);
  });

  test("close() stops every provider: no process is left, and await using closes too", async () => {
    let started: number[] = [];
    {
      await using hangar = await Hangar.open({ mcpServers: servers() });
      const batch = await hangar.call([
        { provider: "demo", tool: "echo", arguments: { message: "a" } },
        { provider: "demo2", tool: "echo", arguments: { message: "b" } },
        { provider: "memory", tool: "read_graph" },
      ]);
      expect(batch.ok).toBe(true);
      started = pids(hangar);
      expect(started).toHaveLength(3);
      expect(started.every(isAlive)).toBe(true);
    }
    expect(started.filter(isAlive)).toEqual([]);
    const hangar = await Hangar.open({ mcpServers: demoServers() });
    await hangar.callTool("demo", "echo", { message: "x" });
    const [pid] = pids(hangar);
    await hangar.close();
    expect(isAlive(pid!)).toBe(false);
    await hangar.close(); // a second close is harmless
  });

  test("A config given as a path or as a hangar.yaml object runs its providers; a bad one is a ConfigError", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-lib-config-"));
    const demo = demoServers().demo;
    const path = join(dir, "hangar.json");
    writeFileSync(path, JSON.stringify({ providers: [{ id: "d", command: [demo.command, ...(demo.args ?? [])] }] }));
    await using fromFile = await Hangar.open({ config: path });
    expect(fromFile.providers).toEqual(["d"]);
    expect((await fromFile.callTool("d", "echo", { message: "file" })).content).toEqual([
      { type: "text", text: "file" },
    ]);
    await using fromObject = await Hangar.open({
      config: { defaults: { call_timeout_s: 5 }, mcpServers: { e: demo } },
    });
    expect((await fromObject.call([{ provider: "e", tool: "add", arguments: { a: 1, b: 1 } }])).ok).toBe(true);
    const bad = await Hangar.open({ config: { providers: [{ id: "x" }] } }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    expect(String(bad)).toContain("Hangar.open config");
  });

  test("Without a config file anywhere, Hangar.open runs the built-in demo providers from the library's own script", async () => {
    const home = mkdtempSync(join(tmpdir(), "hangar-lib-home-"));
    await using hangar = await Hangar.open({ cwd: home, env: { HOME: home, PATH: process.env.PATH } });
    expect(hangar.providers).toEqual(["demo", "demo2"]);
    const answer = await hangar.callTool("demo2", "info");
    expect(answer.structuredContent).toMatchObject({ name: "demo2" });
  });

  test("A malformed batch throws InvalidBatchError and runs nothing", async () => {
    await using hangar = await Hangar.open({ mcpServers: demoServers() });
    expect(() => hangar.stream([{ provider: "demo" } as never])).toThrow(InvalidBatchError);
    expect(hangar.status().providers.every((p) => p.state === "cold")).toBe(true);
  });

  test("status({provider}) reports only that provider, as hangar_status does (issue 19)", async () => {
    await using hangar = await Hangar.open({ mcpServers: demoServers() });
    expect(hangar.status({ provider: "demo2" }).providers.map((p) => p.id)).toEqual(["demo2"]);
    expect(hangar.status({ provider: "nope" }).providers).toEqual([]);
  });
});
