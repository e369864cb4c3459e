// Issue 10, server-stateless: a provider tool called by its exposed name is a transparent proxy, so the
// provider's JSON-RPC error (here -32021 MissingRequiredClientCapability with its data, from
// tests/fixtures/mrtr-server.ts's `test_missing_capability`) reaches a 2026-07-28 client as the same
// JSON-RPC error, with the HTTP status the 2026 handler gives it (400). hangar_call's per-call error for a
// provider's JSON-RPC error is unchanged (tests/error-messages.test.ts).
import { describe, expect, test } from "bun:test";
import { sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { modernRequest } from "./helpers/modern-http.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const TIMEOUT_MS = 30_000;
/** A 2026-07-28 `tools/call` of `name` over HTTP, from a client that declared no capabilities. */
function modernCall(base: string, id: number, name: string, args: Record<string, unknown> = {}) {
  return modernRequest(base, id, "tools/call", { name, arguments: args });
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
