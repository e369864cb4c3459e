// Dependent calls and trimmed results, the pure parts (issue 14 items 1 and 2): JSON Pointers, the
// reference syntax, the batch's graph, trimming and the kept-results store, on a fake clock.
import { describe, expect, test } from "bun:test";
import { CallError } from "../src/errors.ts";
import { holdsMarker, planBatch } from "../src/gateway/batch-plan.ts";
import type { CallRequest, CallResult } from "../src/gateway/batch-schema.ts";
import { dependentArguments } from "../src/gateway/dependencies.ts";
import { InvalidBatchError } from "../src/gateway/index.ts";
import { evaluatePointer, parsePointer } from "../src/gateway/json-pointer.ts";
import { resolveArguments, scanArguments } from "../src/gateway/references.ts";
import { resultDocument } from "../src/gateway/result-document.ts";
import { ResultStore } from "../src/gateway/result-store.ts";
import { jsonBytes, ResultTrimmer } from "../src/gateway/result-trim.ts";
import { findCycle, runBatch, Semaphore, type Settled } from "../src/scheduler/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { waitFor } from "./helpers/processes.ts";

const call = (id: string | undefined, args?: Record<string, unknown>): CallRequest => ({
  provider: "p",
  tool: "t",
  ...(id === undefined ? {} : { id }),
  ...(args === undefined ? {} : { arguments: args }),
});
const ref = (text: string) => ({ "$hangar.ref": text });
const invalid = (calls: CallRequest[]): string => {
  try {
    planBatch(calls);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidBatchError);
    return (error as Error).message;
  }
  throw new Error("the batch was accepted");
};

describe("JSON Pointer (RFC 6901)", () => {
  const doc = { foo: ["bar", "baz"], "": 0, "a/b": 1, "m~n": 8, " ": 7, nested: { n: null } };

  test("evaluates the RFC's examples, escapes included", () => {
    const at = (pointer: string) => {
      const tokens = parsePointer(pointer);
      if (typeof tokens === "string") throw new Error(tokens);
      return evaluatePointer(doc, tokens);
    };
    expect(at("")).toEqual({ found: true, value: doc });
    expect(at("/foo")).toEqual({ found: true, value: ["bar", "baz"] });
    expect(at("/foo/0")).toEqual({ found: true, value: "bar" });
    expect(at("/")).toEqual({ found: true, value: 0 });
    expect(at("/a~1b")).toEqual({ found: true, value: 1 });
    expect(at("/m~0n")).toEqual({ found: true, value: 8 });
    expect(at("/ ")).toEqual({ found: true, value: 7 });
    expect(at("/nested/n")).toEqual({ found: true, value: null });
  });

  test("finds nothing past an array's end, at '-', at a leading-zero index, or in a prototype", () => {
    const miss = (pointer: string) => evaluatePointer(doc, parsePointer(pointer) as string[]);
    for (const pointer of [
      "/foo/2",
      "/foo/-",
      "/foo/01",
      "/foo/x",
      "/missing",
      "/foo/0/x",
      "/__proto__",
      "/constructor",
    ])
      expect(miss(pointer)).toEqual({ found: false });
  });

  test("refuses text that is not a pointer, saying why", () => {
    expect(parsePointer("foo")).toContain('must be empty or start with "/"');
    expect(parsePointer("/a~2")).toContain('"~" must be followed by 0 or 1');
  });
});

describe("A tool answer's document", () => {
  test("is its structuredContent, else its first text as JSON, else that text itself", () => {
    expect(resultDocument({ content: [{ type: "text", text: "{}" }], structuredContent: { a: 1 } })).toEqual({
      found: true,
      value: { a: 1 },
    });
    expect(resultDocument({ content: [{ type: "text", text: '{"a":[2]}' }] })).toEqual({
      found: true,
      value: { a: [2] },
    });
    expect(resultDocument({ content: [{ type: "text", text: "plain words" }] })).toEqual({
      found: true,
      value: "plain words",
    });
    expect(resultDocument({ content: [] })).toEqual({ found: false });
  });
});

describe("References in arguments", () => {
  test("are found anywhere, nested in objects and arrays, but not inside a literal", () => {
    const marks = scanArguments({
      a: ref("x#/items/0"),
      list: [1, { deep: ref("y") }],
      raw: { "$hangar.literal": { "$hangar.ref": "z#/no" } },
    });
    expect(marks.problem).toBeUndefined();
    expect(marks.marked).toBe(true);
    expect(marks.refs.map((r) => [r.id, r.pointer, r.at]).sort()).toEqual([
      ["x", "/items/0", "arguments.a"],
      ["y", "", "arguments.list.1.deep"],
    ]);
  });

  test("a marker key beside other keys, or a reference that is not a string, is malformed", () => {
    expect(scanArguments({ a: { "$hangar.ref": "x#/a", other: 1 } }).problem).toContain(
      'wrap the object: {"$hangar.literal"',
    );
    expect(scanArguments({ a: { "$hangar.ref": 3 } }).problem).toContain("takes a string");
    expect(scanArguments({ a: ref("#/a") }).problem).toContain("names no call");
    expect(scanArguments({ a: ref("x#a") }).problem).toContain("is not a JSON Pointer");
  });

  test("arguments without markers are left as they are, the same object", () => {
    const args = { a: 1, b: { $ref: "#/defs/x" } };
    expect(scanArguments(args).marked).toBe(false);
  });

  test("resolving replaces each reference by its value and unwraps each literal", () => {
    const args = { a: ref("x#/v"), raw: { "$hangar.literal": { "$hangar.ref": "kept" } }, n: [ref("x#/w")] };
    const resolved = resolveArguments(args, (r) => `${r.id}:${r.pointer}`);
    expect(resolved).toEqual({ a: "x:/v", raw: { "$hangar.ref": "kept" }, n: ["x:/w"] });
  });

  test("a deeply nested argument is scanned without overflowing the stack", () => {
    let deep: unknown = ref("x");
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(scanArguments({ deep }).refs.length).toBe(1);
  });
});

describe("The batch's graph", () => {
  test("holdsMarker finds a marker exactly where scanning marks the arguments, deep nesting included", () => {
    const corpus: (Record<string, unknown> | undefined)[] = [
      undefined,
      {},
      { a: 1, b: { $ref: "#/defs/x" }, c: [1, [2, { d: null }]] },
      { a: ref("x#/items/0") },
      { list: [1, [{ deep: ref("y") }]] },
      { raw: { "$hangar.literal": 5 } },
      { bad: { "$hangar.ref": 3 } },
      { beside: { "$hangar.ref": "x", other: 1 } },
      Object.assign(Object.create({ "$hangar.ref": "inherited" }), { a: 1 }),
    ];
    let deep: unknown = ref("x");
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? [deep] : { d: deep };
    corpus.push({ deep });
    for (const args of corpus) expect(holdsMarker(args)).toBe(scanArguments(args).marked);
  });

  test("a batch without references plans no waits and marks no call", () => {
    const plan = planBatch([call("a", { x: 1 }), call(undefined, { y: [{ z: 2 }] }), call("c")]);
    expect(plan.after).toEqual([[], [], []]);
    expect(plan.marks.map((m) => [m.marked, m.refs.length, m.problem])).toEqual([
      [false, 0, undefined],
      [false, 0, undefined],
      [false, 0, undefined],
    ]);
  });

  test("each call waits for the calls it references, each once", () => {
    const plan = planBatch([
      call("a"),
      call("b", { x: ref("a#/1"), y: ref("a#/2") }),
      call(undefined, { x: ref("b"), y: ref("a") }),
      call("free"),
    ]);
    expect(plan.after).toEqual([[], [0], [0, 1], []]);
  });

  test("a reference to an unknown id is rejected before anything runs", () => {
    expect(invalid([call("a"), call("b", { x: ref("c#/x") })])).toContain(
      'calls.1.arguments.x: no call has the id "c"',
    );
  });

  test("an id that is referenced must be unique; repeated labels nothing references are fine", () => {
    expect(invalid([call("a"), call("a"), call("b", { x: ref("a") })])).toContain(
      'the id "a" is used by calls 0, 1; an id that a call references must be unique',
    );
    expect(planBatch([call("a"), call("a"), call("b")]).after).toEqual([[], [], []]);
  });

  test("a cycle is rejected, naming its calls", () => {
    const message = invalid([call("a", { x: ref("c") }), call("b", { x: ref("a") }), call("c", { x: ref("b") })]);
    expect(message).toContain('("a")');
    expect(message).toContain("reference each other in a cycle");
    expect(invalid([call("self", { x: ref("self#/x") })])).toContain('calls 0 ("self") → 0 ("self")');
  });

  test("findCycle returns a cycle's calls in order, and nothing for a DAG", () => {
    expect(findCycle([[1], [2], [0]])).toEqual([0, 1, 2, 0]);
    expect(findCycle([[], [0], [0, 1], [2]])).toBeUndefined();
    const chain = Array.from({ length: 50_000 }, (_, i) => (i === 0 ? [] : [i - 1]));
    expect(findCycle(chain)).toBeUndefined();
  });
});

describe("A dependent call's arguments", () => {
  const calls = [call("a"), call("b", { id: ref("a#/items/0/id"), whole: ref("a") })];
  const ok = (value: Record<string, unknown>): Settled<never> =>
    ({ index: 0, value: { content: [], structuredContent: value }, elapsedMs: 1 }) as Settled<never>;

  test("read the referenced call's answer", () => {
    const args = dependentArguments(calls, 1, new Map([[0, ok({ items: [{ id: 7 }] })]]));
    expect(args).toEqual({ id: 7, whole: { items: [{ id: 7 }] } });
  });

  test("fail with dependency_failed, naming the call and the pointer, when the pointer finds nothing", () => {
    let error: unknown;
    try {
      dependentArguments(calls, 1, new Map([[0, ok({ items: [] })]]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CallError);
    expect((error as CallError).type).toBe("dependency_failed");
    expect((error as CallError).message).toContain('call 0 ("a") has nothing at "/items/0/id"');
  });

  test("may be one reference as a whole, which must find an object", () => {
    const whole = [call("a"), call("b", ref("a#/args"))];
    expect(dependentArguments(whole, 1, new Map([[0, ok({ args: { n: 1 } })]]))).toEqual({ n: 1 });
    expect(() => dependentArguments(whole, 1, new Map([[0, ok({ args: [1] })]]))).toThrow(
      'The arguments of call 1 ("b") resolve to an array, not an object',
    );
  });

  test("fail with dependency_failed when the referenced call failed, retryable as that failure was", () => {
    const failed = { index: 0, error: new CallError("timeout", "slow", true), elapsedMs: 1 };
    let error: unknown;
    try {
      dependentArguments(calls, 1, new Map([[0, failed]]));
    } catch (e) {
      error = e;
    }
    expect((error as CallError).type).toBe("dependency_failed");
    expect((error as CallError).message).toContain('depends on call 0 ("a"), which failed (timeout)');
    expect((error as CallError).retryable).toBe(true);
  });
});

/** Notes that `name` started, and returns `work`. */
function started<T>(order: string[], name: string, work: Promise<T>): Promise<T> {
  order.push(name);
  return work;
}

describe("runBatch with dependencies", () => {
  test("a call starts only once what it waits for has settled, and gets their outcomes", async () => {
    const clock = new FakeClock();
    const order: string[] = [];
    const gates = [Promise.withResolvers<string>(), Promise.withResolvers<string>()];
    const seen: unknown[] = [];
    const settled: Settled<string>[] = [];
    const run = (async () => {
      for await (const s of runBatch<string>(
        [
          { key: "p", timeoutMs: Infinity, run: () => started(order, "first", gates[0]!.promise) },
          {
            key: "p",
            timeoutMs: Infinity,
            after: [0],
            prepare: (inputs) => void seen.push(inputs.map((i) => i.value)),
            run: () => started(order, "second", Promise.resolve("2")),
          },
          { key: "p", timeoutMs: Infinity, run: () => started(order, "free", gates[1]!.promise) },
        ],
        { clock, global: new Semaphore(64), permitsFor: () => undefined },
      ))
        settled.push(s);
    })();
    await waitFor(() => order.length === 2, 5_000, "the two independent calls to start");
    expect(order).toEqual(["first", "free"]);
    gates[1]!.resolve("free");
    gates[0]!.resolve("1");
    await run;
    expect(order).toEqual(["first", "free", "second"]);
    expect(seen).toEqual([["1"]]);
    expect(settled.map((s) => s.index)).toEqual([2, 0, 1]);
  });

  test("a call's deadline counts from the batch start, its wait included", async () => {
    const clock = new FakeClock();
    const gate = Promise.withResolvers<string>();
    const settled: Settled<string>[] = [];
    const run = (async () => {
      for await (const s of runBatch<string>(
        [
          { key: "p", timeoutMs: Infinity, run: () => gate.promise },
          { key: "p", timeoutMs: 1_000, after: [0], run: async () => "late" },
        ],
        { clock, global: new Semaphore(64), permitsFor: () => undefined },
      ))
        settled.push(s);
    })();
    await clock.advance(1_000);
    gate.resolve("done");
    await run;
    expect(settled[0]!.index).toBe(1);
    expect((settled[0]!.error as CallError).type).toBe("timeout");
  });
});

describe("Trimmed results", () => {
  const answer = (text: string) => ({ content: [{ type: "text" as const, text }] });
  const result = (index: number, text: string): CallResult => ({
    index,
    provider: "p",
    tool: "t",
    ok: true,
    result: answer(text),
    elapsed_ms: 1,
    attempts: 1,
  });

  const kept = () => {
    const seen: [number, number][] = [];
    return { seen, keep: (index: number, _: unknown, bytes: number) => void seen.push([index, bytes]) };
  };

  test("select keeps the values at its pointers, by pointer, leaves out those that find nothing, and keeps the answer", () => {
    const { seen, keep } = kept();
    const text = JSON.stringify({ a: [1, 2], b: "x", c: "big" });
    const trimmer = new ResultTrimmer([{ ...call("a"), select: ["/a/0", "/b", "/nope"] }], undefined, keep);
    const trimmed = trimmer.settled(result(0, text));
    expect(trimmed.selected).toEqual({ "/a/0": 1, "/b": "x" });
    expect(trimmed.result).toBeUndefined();
    expect(seen).toEqual([[0, jsonBytes(answer(text))]]);
  });

  test("a result over its own limit becomes a text preview that fits, marked truncated with its original size", () => {
    const { seen, keep } = kept();
    const text = `${"é".repeat(300)}😀${"z".repeat(300)}`;
    const trimmer = new ResultTrimmer([{ ...call("a"), max_result_bytes: 200 }], undefined, keep);
    const trimmed = trimmer.settled(result(0, text));
    expect(trimmed.truncated).toBe(true);
    expect(trimmed.original_bytes).toBe(jsonBytes(answer(text)));
    expect(jsonBytes(trimmed.result)).toBeLessThanOrEqual(200);
    const preview = (trimmed.result!.content[0] as { text: string }).text;
    expect(text.startsWith(preview)).toBe(true);
    expect(preview.length).toBeGreaterThan(50);
    expect(seen).toEqual([[0, jsonBytes(answer(text))]]);
  });

  test("over the whole batch the limit is shared max-min: small results stay whole, the large split the rest", () => {
    const calls = [call("a"), call("b"), call("c"), { ...call("own"), max_result_bytes: 0 }];
    const trimmer = new ResultTrimmer(calls, 3_000);
    const settled = [
      result(0, "x".repeat(10_000)),
      result(1, "tiny"),
      result(2, "y".repeat(10_000)),
      result(3, "z".repeat(10_000)),
    ].map((r) => trimmer.settled(r));
    const whole = trimmer.whole(settled);
    expect(whole[1]).toBe(settled[1]!);
    expect(whole[3]).toBe(settled[3]!);
    const sizes = [0, 1, 2].map((i) => jsonBytes(whole[i]!.result));
    expect(sizes.reduce((a, b) => a + b)).toBeLessThanOrEqual(3_000);
    const fair = Math.floor((3_000 - jsonBytes(answer("tiny"))) / 2);
    expect(sizes[0]).toBeGreaterThan(fair - 10);
    expect(sizes[0]).toBeLessThanOrEqual(fair);
    expect(sizes[2]).toBeGreaterThan(fair - 10);
  });

  test("a streamed result gets an equal share of the batch's limit", () => {
    const trimmer = new ResultTrimmer([call("a"), call("b")], 1_000);
    const streamed = trimmer.streamed(trimmer.settled(result(0, "x".repeat(10_000))));
    expect(streamed.truncated).toBe(true);
    expect(jsonBytes(streamed.result)).toBeLessThanOrEqual(500);
    expect(jsonBytes(streamed.result)).toBeGreaterThan(490);
  });

  test("a result within its limit, and one with no limit at all, are the same object as before", () => {
    const r = result(0, "short");
    const within = new ResultTrimmer([call("a")], 1_000);
    expect(within.whole([within.settled(r)])[0]).toBe(r);
    const none = new ResultTrimmer([call("a")], undefined);
    expect(none.active).toBe(false);
    expect(none.settled(r)).toBe(r);
  });
});

describe("The kept-results store", () => {
  const answer = { content: [{ type: "text" as const, text: "x" }] };

  test("keeps an answer for 10 minutes on its clock, then drops it", async () => {
    const clock = new FakeClock();
    const store = new ResultStore(clock);
    store.put("b", 1, answer, 100);
    await clock.advance(10 * 60_000 - 1);
    expect(store.get("b", 1)).toEqual(answer);
    expect(store.get("b", 2)).toBeUndefined();
    await clock.advance(1);
    expect(store.get("b", 1)).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test("drops the oldest answers first to stay within its bytes, and refuses one larger than itself", () => {
    const store = new ResultStore(new FakeClock(), { maxBytes: 250 });
    store.put("b", 0, answer, 100);
    store.put("b", 1, answer, 100);
    store.put("b", 2, answer, 100);
    expect(store.get("b", 0)).toBeUndefined();
    expect(store.get("b", 1)).toEqual(answer);
    expect(store.get("b", 2)).toEqual(answer);
    expect(store.size).toBe(200);
    expect(store.put("b", 3, answer, 251)).toBe(false);
    expect(store.size).toBe(200);
  });
});
