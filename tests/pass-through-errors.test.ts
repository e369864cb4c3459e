// Issue 10, server-stateless: a provider tool called by its exposed name is a transparent proxy, so the
// provider's JSON-RPC error (here -32021 MissingRequiredClientCapability with its data, from
// tests/fixtures/mrtr-server.ts's `test_missing_capability`) reaches a 2026-07-28 client as the same
// JSON-RPC error, with the HTTP status the 2026 handler gives it (400). hangar_call's per-call error for a
// provider's JSON-RPC error is unchanged (tests/error-messages.test.ts).
import { describe, expect, test } from "bun:test";
import { sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const TIMEOUT_MS = 30_000;
const MODERN = "2026-07-28";

/** A 2026-07-28 `tools/call` of `name` over HTTP, from a client that declared no capabilities. */
function modernCall(base: string, id: number, name: string, args: Record<string, unknown> = {}) {
  return modernRequest(base, id, "tools/call", { name, arguments: args });
}

/** A 2026-07-28 request over HTTP, from a client that declared no capabilities: its status and answer. */
async function modernRequest(base: string, id: number, method: string, params: Record<string, unknown>) {
  const name = typeof params.name === "string" ? { "mcp-name": params.name } : {};
  const response = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": MODERN,
      "mcp-method": method,
      ...name,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN,
          "io.modelcontextprotocol/clientInfo": { name: "pass-through-test", version: "1.0.0" },
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
  });
  const text = await response.text();
  // A JSON answer, or an SSE stream whose last data line is the answer.
  const data = response.headers.get("content-type")?.includes("text/event-stream")
    ? text
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => JSON.parse(line.slice(5)))
        .at(-1)
    : JSON.parse(text);
  return { status: response.status, body: data as Record<string, unknown> };
}

describe("Pass-through tool calls relay the provider's JSON-RPC error (issue 10, server-stateless)", () => {
  test(
    "a provider's -32021 reaches a 2026 client as the same JSON-RPC error with HTTP 400",
    async () => {
      using box = sandbox();
      box.write(
        "hangar.yaml",
        `providers:\n  - {"id":"mrtr","prefix":false,"command":${JSON.stringify(fixture("mrtr-server.ts"))}}\n`,
      );
      await using hangar = await startHttpHangar(box);
      // The provider starts with the first client; its tools are listed once it is ready.
      await waitFor(
        async () => JSON.stringify((await modernRequest(hangar.base, 1, "tools/list", {})).body).includes("missing"),
        15_000,
        "the provider's tools to be listed",
      );

      const direct = await modernCall(hangar.base, 7, "test_missing_capability");
      expect(direct.status).toBe(400);
      expect(direct.body).toMatchObject({
        id: 7,
        error: { code: -32021, data: { requiredCapabilities: { sampling: {} } } },
      });
      expect(direct.body.result).toBeUndefined();
    },
    TIMEOUT_MS,
  );
});
