// Issue 10, http-custom-header-server-validation (SEP-2243): a relayed tool whose input schema mirrors an
// argument in an `Mcp-Param-*` header (`x-mcp-header`) gets its 2026-07-28 calls over HTTP checked: a
// missing, different or badly encoded header is a 400 with HeaderMismatch (-32020), a matching one passes.
import { describe, expect, test } from "bun:test";
import { paramHeaderProblem, paramHeaders } from "../src/serve/http/param-headers.ts";
import { sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { modernRequest } from "./helpers/modern-http.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const SCHEMA = {
  type: "object",
  properties: {
    region: { type: "string", "x-mcp-header": "Region" },
    count: { type: "integer", "x-mcp-header": "Count" },
    nested: { type: "object", properties: { zone: { type: "string", "x-mcp-header": "Zone" } } },
    list: { type: "array", items: { type: "string", "x-mcp-header": "Ignored" } },
  },
};
const b64 = (text: string) => `=?base64?${Buffer.from(text).toString("base64")}?=`;

describe("Mcp-Param-* header checks (issue 10, SEP-2243)", () => {
  test("declarations come from properties reached through properties only", () => {
    expect(paramHeaders(SCHEMA).map((p) => [p.path.join("."), p.name])).toEqual([
      ["region", "Region"],
      ["count", "Count"],
      ["nested.zone", "Zone"],
    ]);
  });

  test("a header matching the argument passes, as text, Base64 or a number; a null or absent argument needs none", () => {
    const declared = paramHeaders(SCHEMA);
    const ok = (args: unknown, headers: Record<string, string>) =>
      paramHeaderProblem(declared, args, new Headers(headers));
    expect(ok({ region: "eu", count: 3 }, { "Mcp-Param-Region": "eu", "mcp-param-count": "3.0" })).toBeUndefined();
    expect(ok({ region: "Grüße" }, { "Mcp-Param-Region": b64("Grüße") })).toBeUndefined();
    expect(ok({ region: "=?base64?SGVsbG8=" }, { "Mcp-Param-Region": "=?base64?SGVsbG8=" })).toBeUndefined();
    expect(ok({ region: null, nested: {} }, {})).toBeUndefined();
  });

  test("a missing, different or badly encoded header is a problem naming the header", () => {
    const declared = paramHeaders(SCHEMA);
    const problem = (args: unknown, headers: Record<string, string>) =>
      paramHeaderProblem(declared, args, new Headers(headers));
    expect(problem({ region: "eu" }, {})).toContain("Mcp-Param-Region header is absent");
    expect(problem({ nested: { zone: "a" } }, { "Mcp-Param-Zone": "b" })).toContain("Mcp-Param-Zone");
    expect(problem({ region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGVsbG8?=" })).toContain("Base64");
    expect(problem({ region: "Hello" }, { "Mcp-Param-Region": "=?base64?SGVs!!!bG8=?=" })).toContain("Base64");
  });

  test("hangar serve --http answers a 2026 call whose Mcp-Param header disagrees with 400 and -32020, and relays a matching one", async () => {
    using box = sandbox();
    box.write(
      "hangar.yaml",
      `providers:\n  - {"id":"c","prefix":false,"command":${JSON.stringify(fixture("conformance-server.ts"))}}\n`,
    );
    await using hangar = await startHttpHangar(box);
    const call = (id: number, method: string, params: Record<string, unknown>, headers = {}) =>
      modernRequest(hangar.base, id, method, params, { headers });
    await waitFor(
      async () => JSON.stringify((await call(1, "tools/list", {})).body).includes("test_header_param"),
      15_000,
      "the provider's tools to be listed",
    );
    const args = { name: "test_header_param", arguments: { region: "eu-west" } };

    const wrong = await call(2, "tools/call", args, { "Mcp-Param-Region": "us-east" });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ id: 2, error: { code: -32020 } });
    const missing = await call(3, "tools/call", args);
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ id: 3, error: { code: -32020 } });

    const right = await call(4, "tools/call", args, { "Mcp-Param-Region": b64("eu-west") });
    expect(right.status).toBe(200);
    expect(right.body).toMatchObject({ id: 4, result: { content: [{ type: "text", text: "region eu-west" }] } });
  }, 30_000);
});
