// Issues 11 and 18: what the fast route reads of a request (its JSON-RPC envelope and `tools/call`
// params, nothing more), and what it leaves to the SDK path by answering undefined.
import { describe, expect, test } from "bun:test";
import { fastCallOf } from "../src/serve/fast-route.ts";

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
});
