import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { npmServer } from "./helpers/paths.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
function gateway(providers: ResolvedProvider[]): Gateway {
  const g = new Gateway(configOf(providers));
  open.push(g);
  return g;
}
const text = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0]!.text;
const tempDir = (prefix: string) => realpathSync(mkdtempSync(join(tmpdir(), prefix)));

/** The reference servers from npm, each run with Bun as a stdio provider. */
function everything(): ResolvedProvider {
  return stdioProvider("everything", npmServer("@modelcontextprotocol/server-everything"));
}
function filesystem(dir: string): ResolvedProvider {
  return stdioProvider("fs", [...npmServer("@modelcontextprotocol/server-filesystem"), dir]);
}
function memory(file: string): ResolvedProvider {
  const base = stdioProvider("memory", npmServer("@modelcontextprotocol/server-memory"));
  if (base.transport.kind !== "stdio") throw new Error("unreachable");
  return { ...base, transport: { ...base.transport, env: { MEMORY_FILE_PATH: file } } };
}

describe("stdio driver with the reference MCP servers", () => {
  test("server-everything lists its tools and answers echo", async () => {
    const g = gateway([everything()]);
    const tools = await g.handles.get("everything")!.ensureReady(AbortSignal.timeout(20_000));
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    const batch = await g.run({
      calls: [{ provider: "everything", tool: "echo", arguments: { message: "over stdio" } }],
    });
    expect(batch.results[0]).toMatchObject({ ok: true, attempts: 1 });
    expect(text(batch.results[0]!.result)).toBe("Echo: over stdio");
  });

  test("server-filesystem reads a file the test wrote and lists its directory", async () => {
    const dir = tempDir("hangar-fs-");
    writeFileSync(join(dir, "note.txt"), "written by the test\n");
    const g = gateway([filesystem(dir)]);
    const tools = await g.handles.get("fs")!.ensureReady(AbortSignal.timeout(20_000));
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["read_text_file", "list_directory"]));
    const batch = await g.run({
      calls: [
        { provider: "fs", tool: "read_text_file", arguments: { path: join(dir, "note.txt") } },
        { provider: "fs", tool: "list_directory", arguments: { path: dir } },
      ],
    });
    expect(batch).toMatchObject({ ok: true, succeeded: 2 });
    expect(text(batch.results[0]!.result)).toBe("written by the test\n");
    expect(text(batch.results[1]!.result)).toContain("[FILE] note.txt");
  });

  test("server-filesystem refuses a path outside its allowed directory as a tool error", async () => {
    const dir = tempDir("hangar-fs-");
    const outside = tempDir("hangar-outside-");
    writeFileSync(join(outside, "secret.txt"), "no");
    const g = gateway([filesystem(dir)]);
    const batch = await g.run({
      calls: [{ provider: "fs", tool: "read_text_file", arguments: { path: join(outside, "secret.txt") } }],
    });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "tool_error" }, result: { isError: true } });
    expect(batch.results[0]!.error!.message).toContain("outside allowed directories");
  });

  test("server-memory keeps an entity created in one batch for the next batch", async () => {
    const file = join(tempDir("hangar-memory-"), "memory.jsonl");
    const g = gateway([memory(file)]);
    const created = await g.run({
      calls: [
        {
          provider: "memory",
          tool: "create_entities",
          arguments: {
            entities: [{ name: "Hangar", entityType: "project", observations: ["fronts many MCP servers"] }],
          },
        },
      ],
    });
    expect(created.results[0]).toMatchObject({ ok: true });
    const read = await g.run({ calls: [{ provider: "memory", tool: "read_graph", arguments: {} }] });
    expect(read.results[0]).toMatchObject({
      ok: true,
      result: {
        structuredContent: {
          entities: [{ name: "Hangar", entityType: "project", observations: ["fronts many MCP servers"] }],
        },
      },
    });
    expect(readFileSync(file, "utf8")).toContain('"name":"Hangar"');
  });

  test("One batch across server-everything, server-filesystem and server-memory succeeds in call order", async () => {
    const dir = tempDir("hangar-fs-");
    writeFileSync(join(dir, "a.txt"), "alpha");
    const g = gateway([everything(), filesystem(dir), memory(join(tempDir("hangar-memory-"), "memory.jsonl"))]);
    const batch = await g.run({
      calls: [
        { provider: "everything", tool: "echo", arguments: { message: "one" }, id: "echo" },
        { provider: "fs", tool: "read_text_file", arguments: { path: join(dir, "a.txt") }, id: "read" },
        {
          provider: "memory",
          tool: "create_entities",
          arguments: { entities: [{ name: "x", entityType: "t", observations: [] }] },
          id: "create",
        },
        { provider: "everything", tool: "get-sum", arguments: { a: 2, b: 40 }, id: "sum" },
        { provider: "fs", tool: "list_directory", arguments: { path: dir }, id: "ls" },
        { provider: "memory", tool: "search_nodes", arguments: { query: "nothing-matches-this" }, id: "search" },
      ],
    });
    expect(batch).toMatchObject({ ok: true, total: 6, succeeded: 6, failed: 0 });
    expect(batch.results.map((r) => r.id)).toEqual(["echo", "read", "create", "sum", "ls", "search"]);
    expect(text(batch.results[0]!.result)).toBe("Echo: one");
    expect(text(batch.results[1]!.result)).toBe("alpha");
    expect(text(batch.results[3]!.result)).toContain("42");
    expect(text(batch.results[4]!.result)).toBe("[FILE] a.txt");
    expect([...g.handles.values()].map((h) => h.state)).toEqual(["ready", "ready", "ready"]);
  });
});
