// The pure parts of `hangar bench`: percentiles, and the arguments it dares to send (only values a
// tool's schema offers; never an invented path, query or id).
import { describe, expect, test } from "bun:test";
import type { Tool } from "@modelcontextprotocol/client";
import { latencyStats, percentile } from "../src/bench/index.ts";
import { isReadOnly, sampleArguments } from "../src/bench/sample-arguments.ts";

const tool = (properties: Tool["inputSchema"]["properties"] & object, required: string[], readOnly = true): Tool => ({
  name: "t",
  inputSchema: { type: "object", properties, required },
  annotations: { readOnlyHint: readOnly },
});

describe("bench statistics", () => {
  test("percentiles are nearest-rank over sorted samples", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 95)).toBe(95);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  test("latencyStats sorts its samples and rounds to microseconds", () => {
    expect(latencyStats([3, 1, 2, 4.00049])).toEqual({ count: 4, p50: 2, p95: 4, p99: 4, mean: 2.5, max: 4 });
  });
});

describe("bench picks arguments only from the schema", () => {
  test("no required arguments: an empty object", () => {
    expect(sampleArguments(tool({ limit: { type: "number" } }, []))).toEqual({});
  });

  test("required arguments take default, examples, const, the first enum value, or false for a boolean", () => {
    const t = tool(
      {
        a: { type: "number", default: 5 },
        b: { type: "string", examples: ["mcp"] },
        c: { const: "x" },
        d: { enum: ["asc", "desc"] },
        e: { type: "boolean" },
      },
      ["a", "b", "c", "d", "e"],
    );
    expect(sampleArguments(t)).toEqual({ a: 5, b: "mcp", c: "x", d: "asc", e: false });
  });

  test("a required string with no offered value means bench cannot call the tool by itself", () => {
    expect(sampleArguments(tool({ path: { type: "string" } }, ["path"]))).toBeUndefined();
  });

  test("only readOnlyHint: true counts as read-only", () => {
    expect(isReadOnly(tool({}, []))).toBe(true);
    expect(isReadOnly(tool({}, [], false))).toBe(false);
    expect(isReadOnly({ name: "t", inputSchema: { type: "object" } })).toBe(false);
  });
});
