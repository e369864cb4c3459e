// Issue 14 item 3: hangar_tools {query} ranks tools by relevance. The needs fixture was committed before
// the ranking existed and is worded without the words of each target tool's name.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hangarTools } from "../src/serve/hangar-tools.ts";
import { type SearchableTool, ToolIndex, words } from "../src/serve/tool-search.ts";
import { ROOT } from "./helpers/paths.ts";

const fixtures = join(ROOT, "tests/fixtures");
const catalogs = JSON.parse(readFileSync(join(fixtures, "reference-catalogs.json"), "utf8")) as Record<
  string,
  SearchableTool["tool"][]
>;
const { needs } = JSON.parse(readFileSync(join(fixtures, "tool-search-needs.json"), "utf8")) as {
  needs: { need: string; provider: string; tool: string }[];
};
const referenceTools: SearchableTool[] = Object.entries(catalogs).flatMap(([provider, tools]) =>
  tools.map((tool) => ({ provider, tool })),
);

describe("Tool search relevance (issue 14 item 3)", () => {
  test("The needs fixture holds 20 needs, none using a word of its target tool's name", () => {
    expect(needs).toHaveLength(20);
    for (const { need, provider, tool } of needs) {
      expect(catalogs[provider]?.some((t) => t.name === tool)).toBe(true);
      const nameWords = words(tool);
      const used = words(need).filter((w) => nameWords.some((n) => w.startsWith(n) || n.startsWith(w)));
      expect({ need, used }).toEqual({ need, used: [] });
    }
  });

  test("For at least 18 of the 20 needs over the reference servers, the right tool is in the top 3", () => {
    const index = new ToolIndex(referenceTools);
    const misses: string[] = [];
    for (const { need, provider, tool } of needs) {
      const top = index.search(need, { limit: 3 }).map((hit) => `${hit.provider}/${hit.name}`);
      if (!top.includes(`${provider}/${tool}`)) misses.push(`"${need}" → ${top.join(", ")} (want ${provider}/${tool})`);
    }
    if (misses.length) console.log(`tool search misses:\n${misses.join("\n")}`);
    expect(misses.length).toBeLessThanOrEqual(2);
  });
});

describe("Tool search", () => {
  test("A tool's name counts as words: snake_case, kebab-case and camelCase", () => {
    expect(words("read_text_file getFileInfo get-sum")).toEqual([
      "read",
      "text",
      "file",
      "get",
      "file",
      "info",
      "get",
      "sum",
    ]);
    const index = new ToolIndex([
      { provider: "a", tool: { name: "getFileInfo", inputSchema: { type: "object" } } },
      { provider: "a", tool: { name: "echo", description: "Says it back", inputSchema: { type: "object" } } },
    ]);
    expect(index.search("file info", { limit: 5 }).map((hit) => hit.name)).toEqual(["getFileInfo"]);
  });

  test("Parameter names and descriptions, nested ones too, are searched", () => {
    const index = new ToolIndex([
      {
        provider: "a",
        tool: {
          name: "put",
          inputSchema: {
            type: "object",
            properties: {
              rows: { type: "array", items: { type: "object", properties: { colour: { type: "string" } } } },
            },
          },
        },
      },
      { provider: "a", tool: { name: "other", inputSchema: { type: "object" } } },
    ]);
    expect(index.search("colour", { limit: 5 }).map((hit) => hit.name)).toEqual(["put"]);
  });

  test("A search can be narrowed to one provider, and its limit holds", () => {
    const index = new ToolIndex(referenceTools);
    const hits = index.search("delete", { limit: 2, provider: "memory" });
    expect(hits.map((hit) => hit.provider)).toEqual(["memory", "memory"]);
    expect(index.search("delete", { limit: 10, provider: "everything" })).toEqual([]);
  });

  test("A query of stop words or punctuation, or a hostile one, finds nothing and does not throw", () => {
    const index = new ToolIndex(referenceTools);
    expect(index.search("the of and", { limit: 5 })).toEqual([]);
    expect(index.search("(.*)+$ [[[ \\", { limit: 5 })).toEqual([]);
    expect(Array.isArray(index.search("a".repeat(100_000), { limit: 5 }))).toBe(true);
  });

  test("A long or repetitive query counts only its first 32 distinct words, so it costs what a short one does", () => {
    const index = new ToolIndex(referenceTools);
    const short = index.search("remove the folder", { limit: 5 });
    expect(index.search(Array(20_000).fill("remove the folder").join(" "), { limit: 5 })).toEqual(short);
    const padded = `${Array.from({ length: 40 }, (_, i) => `zz${i}`).join(" ")} folder`;
    expect(index.search(padded, { limit: 5 })).toEqual([]);
  });
});

describe("Teaching the search flow (issue 14 item 3)", () => {
  test("hangar_tools says to search with a query and run with hangar_call, in under 400 characters; hangar_call points to the search", () => {
    const byName = new Map(hangarTools().map((tool) => [tool.name, tool.description ?? ""]));
    const search = byName.get("hangar_tools")!;
    expect(search).toContain('{"query": ');
    expect(search).toContain("hangar_call");
    expect(search).toContain("never starts");
    expect(search.length).toBeLessThan(400);
    expect(byName.get("hangar_call")).toContain('hangar_tools first: {"query": ');
  });
});
