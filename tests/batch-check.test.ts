import { describe, expect, test } from "bun:test";
import { checkBatch, isPlainBatch } from "../src/gateway/batch-check.ts";
import { BatchRequestSchema } from "../src/gateway/batch-schema.ts";

/** The schema's answer and checkBatch's, compared field by field, key order included. */
function expectSameAsSchema(input: unknown): void {
  const schema = BatchRequestSchema.safeParse(input);
  const checked = checkBatch(input);
  expect(checked.success).toBe(schema.success);
  if (schema.success && checked.success) {
    expect(JSON.stringify(checked.data)).toBe(JSON.stringify(schema.data));
    expect(checked.data).toEqual(schema.data);
    expect(Object.keys(checked.data)).toEqual(Object.keys(schema.data));
    checked.data.calls.forEach((call, i) => {
      expect(Object.keys(call)).toEqual(Object.keys(schema.data.calls[i]!));
      if (call.arguments) expect(Object.keys(call.arguments)).toEqual(Object.keys(schema.data.calls[i]!.arguments!));
    });
  } else if (!schema.success && !checked.success) {
    expect(checked.error.issues).toEqual(schema.error.issues);
  }
}

const call = { provider: "p", tool: "sleep", arguments: { ms: 100 } };

/** Inputs at and around every rule of the schema. */
const corpus: unknown[] = [
  { calls: [call] },
  { calls: Array.from({ length: 50 }, (_, i) => ({ ...call, provider: `p${i % 5}` })) },
  { calls: [{ tool: "t", provider: "p" }] },
  { calls: [{ arguments: { b: 1, a: 2, 10: 3, 2: 4 }, tool: "t", provider: "p", id: "x" }] },
  { calls: [{ provider: "p", tool: "t", arguments: JSON.parse('{"__proto__": {"x": 1}, "a": 1}') }] },
  { calls: [{ provider: "p", tool: "t", arguments: Object.create(null) }] },
  { calls: [{ provider: "p", tool: "t", arguments: { [Symbol("s")]: 1, a: 1 } }] },
  { calls: [{ provider: "p", tool: "t", arguments: [] }] },
  { calls: [{ provider: "p", tool: "t", arguments: null }] },
  { calls: [{ provider: "p", tool: "t", arguments: new Date(0) }] },
  { calls: [{ provider: "p", tool: "t", id: undefined }] },
  { calls: [{ provider: "p", tool: "t", id: "a".repeat(256) }] },
  { calls: [{ provider: "p", tool: "t", id: "a".repeat(257) }] },
  { calls: [{ provider: "p", tool: "t", id: 7 }] },
  { calls: [{ provider: "", tool: "t" }] },
  { calls: [{ provider: "p", tool: "" }] },
  { calls: [{ provider: "p" }] },
  { calls: [{ provider: "p", tool: "t", extra: 1 }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: 0 }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: 0.5 }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: 86_400 }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: 86_400.5 }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: Number.POSITIVE_INFINITY }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: Number.NaN }] },
  { calls: [{ provider: "p", tool: "t", timeout_s: "5" }] },
  { calls: [{ provider: "p", tool: "t", max_result_bytes: 0 }] },
  { calls: [{ provider: "p", tool: "t", max_result_bytes: 1.5 }] },
  { calls: [{ provider: "p", tool: "t", max_result_bytes: -1 }] },
  { calls: [{ provider: "p", tool: "t", max_result_bytes: 2 ** 60 }] },
  { calls: [{ provider: "p", tool: "t", select: ["/a", "/b"] }] },
  { calls: [{ provider: "p", tool: "t", select: ["a"] }] },
  { calls: [{ provider: "p", tool: "t", select: [] }] },
  { calls: [] },
  { calls: "x" },
  {},
  { calls: [call], extra: true },
  { calls: [call], max_concurrency: 1, timeout_s: 30, fail_fast: true, max_result_bytes: 1000 },
  { max_result_bytes: 0, fail_fast: false, timeout_s: 1, max_concurrency: 3, calls: [call] },
  { calls: [call], max_concurrency: 0 },
  { calls: [call], max_concurrency: 2.5 },
  { calls: [call], fail_fast: "yes" },
  { calls: [call], fail_fast: undefined },
  { calls: [call], timeout_s: -1 },
  { calls: [call, "x"] },
  { calls: [call, null] },
  JSON.parse('{"calls": [{"provider": "p", "tool": "t"}], "__proto__": {"calls": []}}'),
  null,
  "calls",
  [call],
];

describe("checkBatch", () => {
  test("checkBatch answers every input as BatchRequestSchema does, key order included", () => {
    for (const input of corpus) expectSameAsSchema(input);
  });

  test("checkBatch answers randomly altered batches as BatchRequestSchema does", () => {
    // A deterministic generator: each batch alters fields of a well-formed one with values near the rules.
    let seed = 11;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const values = [undefined, 0, 1, -1, 0.5, 86_400, 1e9, "", "x", true, null, [], {}, { a: 1 }, ["/a"]];
    const callKeys = ["provider", "tool", "arguments", "id", "timeout_s", "select", "max_result_bytes", "other"];
    const batchKeys = ["max_concurrency", "timeout_s", "fail_fast", "max_result_bytes", "other"];
    for (let n = 0; n < 2_000; n++) {
      const calls = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const altered: Record<string, unknown> = { provider: "p", tool: "t", arguments: { a: 1 } };
        if (random() < 0.7) altered[pick(callKeys)] = pick(values);
        return altered;
      });
      const batch: Record<string, unknown> = { calls };
      if (random() < 0.5) batch[pick(batchKeys)] = pick(values);
      expectSameAsSchema(batch);
    }
  });

  test("checkBatch copies the arguments: the request it returns shares no object with the input", () => {
    const args = { ms: 100 };
    const input = { calls: [{ provider: "p", tool: "sleep", arguments: args }] };
    const checked = checkBatch(input);
    expect(checked.success).toBe(true);
    if (!checked.success) return;
    expect(checked.data.calls[0]!.arguments).toEqual(args);
    expect(checked.data.calls[0]!.arguments).not.toBe(args);
    expect(checked.data.calls[0]).not.toBe(input.calls[0]);
  });

  test("A plainly well-formed batch is checked by hand, without the schema", () => {
    const batch = { calls: Array.from({ length: 50 }, (_, i) => ({ ...call, provider: `p${i % 5}`, id: `c${i}` })) };
    expect(isPlainBatch(batch)).toBe(true);
    expect(isPlainBatch({ calls: [{ ...call, select: ["/a"] }] })).toBe(false);
  });
});
