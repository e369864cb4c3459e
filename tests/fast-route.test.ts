// Issues 11 and 18: what the fast route reads of a request (its JSON-RPC envelope and `tools/call`
// params, nothing more), and what it leaves to the SDK path by answering undefined.
import { describe, expect, test } from "bun:test";
import { fastCallOf, modernResult } from "../src/serve/fast-route.ts";

const plain = {
  jsonrpc: "2.0",
  id: 7,
  method: "tools/call",
  params: { name: "demo__echo", arguments: { message: "hi" } },
};

describe("fastCallOf", () => {
  test("takes a plain tools/call: id, name, arguments and a _meta with a progress token and trace context", () => {
    expect(fastCallOf(plain)).toEqual({ id: 7, name: "demo__echo", arguments: { message: "hi" }, _meta: undefined });
    const meta = { progressToken: "t", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };
    expect(fastCallOf({ ...plain, id: "a", params: { name: "x", _meta: meta } })).toEqual({
      id: "a",
      name: "x",
      arguments: undefined,
      _meta: meta,
    });
  });

  test("leaves to the SDK anything it does not plainly cover", () => {
    const variants: unknown[] = [
      [plain],
      { ...plain, jsonrpc: "1.0" },
      { ...plain, method: "tools/list" },
      { jsonrpc: "2.0", method: "tools/call", params: plain.params },
      { ...plain, id: 1.5 },
      { ...plain, id: null },
      { ...plain, params: undefined },
      { ...plain, params: { arguments: {} } },
      { ...plain, params: { name: "x", arguments: ["a"] } },
      { ...plain, params: { name: "x", arguments: "a" } },
      { ...plain, params: { name: "x", task: { ttl: 1 } } },
      { ...plain, params: { name: "x", inputResponses: {} } },
      { ...plain, params: { name: "x", requestState: "s" } },
      { ...plain, params: { name: "x", _meta: "m" } },
      { ...plain, params: { name: "x", _meta: { progressToken: { a: 1 } } } },
      { ...plain, params: { name: "x", _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } } },
      { ...plain, params: { name: "x", _meta: { "io.modelcontextprotocol/related-task": { taskId: "t" } } } },
    ];
    for (const variant of variants) expect(fastCallOf(variant)).toBeUndefined();
  });

  test("takes a 2026 call whose envelope declares nothing, and hands its handler the _meta without the envelope", () => {
    const envelope = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "c", version: "1", title: "C" },
      "io.modelcontextprotocol/clientCapabilities": {},
    };
    const call = { ...plain, params: { ...plain.params, _meta: { ...envelope, progressToken: 3 } } };
    expect(fastCallOf(call, "modern")).toEqual({
      id: 7,
      name: "demo__echo",
      arguments: { message: "hi" },
      _meta: { progressToken: 3 },
      modern: true,
    });
    expect(fastCallOf({ ...plain, params: { name: "x", _meta: envelope } }, "modern")?._meta).toBeUndefined();
    // The same call is not a 2025 one, and a 2026 connection's call without an envelope is the SDK's to refuse.
    expect(fastCallOf(call)).toBeUndefined();
    expect(fastCallOf(plain, "modern")).toBeUndefined();
  });

  test("leaves to the SDK a 2026 call with any envelope it would have to judge, or one that could be relayed", () => {
    const envelope = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
    };
    const meta = (extra: Record<string, unknown>) => ({
      ...plain,
      params: { name: "x", _meta: { ...envelope, ...extra } },
    });
    const capabilities = (value: unknown) => meta({ "io.modelcontextprotocol/clientCapabilities": value });
    const variants: unknown[] = [
      meta({ "io.modelcontextprotocol/protocolVersion": "2025-11-25" }),
      meta({ "io.modelcontextprotocol/protocolVersion": 2026 }),
      { ...plain, params: { name: "x", _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } } },
      capabilities(5),
      capabilities({ elicitation: {} }),
      capabilities({ sampling: {} }),
      capabilities({ roots: {} }),
      capabilities({ extensions: { "io.modelcontextprotocol/tasks": {} } }),
      meta({ "io.modelcontextprotocol/clientInfo": { name: "c" } }),
      meta({ "io.modelcontextprotocol/clientInfo": { name: "c", version: "1", icons: [] } }),
      meta({ "io.modelcontextprotocol/logLevel": "debug" }),
      meta({ "io.modelcontextprotocol/related-task": { taskId: "t" } }),
      meta({ progressToken: { a: 1 } }),
      { ...plain, params: { name: "x", requestState: "s", _meta: envelope } },
      { ...plain, params: { name: "x", inputResponses: {}, _meta: envelope } },
    ];
    for (const variant of variants) expect(fastCallOf(variant, "modern")).toBeUndefined();
  });
});

describe("modernResult", () => {
  test("stamps resultType and Hangar's server info as the SDK's 2026 codec does, keeping what the result set", () => {
    const info = { name: "hangar", title: "Hangar", version: expect.any(String) };
    expect(modernResult({ content: [] })).toEqual({
      content: [],
      resultType: "complete",
      _meta: { "io.modelcontextprotocol/serverInfo": info },
    });
    expect(modernResult({ content: [], _meta: { a: 1 } })._meta).toEqual({
      a: 1,
      "io.modelcontextprotocol/serverInfo": info,
    });
    const own = {
      content: [],
      resultType: "input_required",
      _meta: { "io.modelcontextprotocol/serverInfo": { name: "p" } },
    };
    expect(modernResult(own)).toEqual(own);
    expect(modernResult({ content: [], _meta: "odd" })).toEqual({ content: [], resultType: "complete", _meta: "odd" });
  });
});
