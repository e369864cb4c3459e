// Issue 10's follow-up: a 2026-07-28 client's hangar_call cannot answer a provider's input request (one
// call of a batch cannot hold an input_required round of its own). The call fails alone, at once, with
// `input_required` naming what was asked and the tool to call by name instead; the batch's other calls
// run, and the same tool called by name is answered through the client (tests/fixtures/modern-server.ts's
// place_order asks how many, then to confirm). A 2025 client's batch still has its handlers asked. Over
// HTTP a 2025 provider's elicitation during a 2026 client's request is refused, never sent to a 2025
// session whose older request runs on the same provider (tests/fixtures/conformance-server.ts).
import { describe, expect, test } from "bun:test";
import { Client, type ClientOptions, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { v2StdioClient } from "../helpers/v2-stdio-client.ts";

const ELICITS = { elicitation: { form: {} } };
const PINNED: ClientOptions = { versionNegotiation: { mode: { pin: "2026-07-28" } }, capabilities: ELICITS };

/** A sandbox with the 2026-only fixture as provider `shop`. */
function shopBox(): Sandbox {
  const box = sandbox();
  box.write("hangar.yaml", `providers:\n  - ${JSON.stringify({ id: "shop", command: fixture("modern-server.ts") })}\n`);
  return box;
}

/** Answers the fixture's two questions (3 of them, and yes), keeping what was asked. */
function answering(client: Client): string[] {
  const asked: string[] = [];
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(request.params.message);
    return request.params.message.startsWith("How many")
      ? { action: "accept", content: { quantity: 3 } }
      : { action: "accept", content: { confirm: true } };
  });
  return asked;
}

type BatchResult = {
  ok: boolean;
  results: { ok: boolean; result?: { content: { text: string }[] }; error?: { type: string; message: string } }[];
};
const ORDER = { provider: "shop", tool: "place_order", arguments: { item: "pears" } };
const ECHO = { provider: "shop", tool: "echo", arguments: { text: "still here" } };

/** The batch [order, echo] through `client`: the order fails with input_required, the echo runs, nobody is asked. */
async function refusesInBatch(client: Client): Promise<void> {
  const asked = answering(client);
  const batch = await client.callTool({ name: "hangar_call", arguments: { calls: [ORDER, ECHO] } });
  const { ok, results } = batch.structuredContent as BatchResult;
  expect(ok).toBe(false);
  expect(results[0]!.error?.type).toBe("input_required");
  expect(results[0]!.error?.message).toContain('Tool "place_order" asked for input');
  expect(results[0]!.error?.message).toContain('call "shop__place_order" by name');
  expect(results[1]!.result?.content[0]?.text).toBe("still here");
  expect(asked).toEqual([]);
  // By name, the client is asked and the order goes through.
  const byName = await client.callTool({ name: "shop__place_order", arguments: { item: "pears" } });
  expect((byName as { content: { text: string }[] }).content[0]!.text).toBe("Ordered 3 × pears");
  expect(asked).toEqual(["How many pears?", "Order 3 × pears?"]);
}

describe("a 2026-07-28 client's hangar_call whose provider asks for input", () => {
  test("over stdio the call fails alone with input_required naming the tool to call by name", async () => {
    using box = shopBox();
    await using client = await v2StdioClient(box, PINNED);
    await refusesInBatch(client);
  }, 30_000);

  test("over HTTP the call fails alone with input_required naming what was asked and the tool to call by name", async () => {
    using box = shopBox();
    await using hangar = await startHttpHangar(box);
    const client = new Client({ name: "hangar-tests", version: "1.0.0" }, PINNED);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${hangar.base}/mcp`)));
    try {
      await refusesInBatch(client);
      const batch = await client.callTool({ name: "hangar_call", arguments: { calls: [ORDER] } });
      expect((batch.structuredContent as BatchResult).results[0]!.error?.message).toContain(
        'elicitation/create: "How many pears?"',
      );
    } finally {
      await client.close();
    }
  }, 30_000);

  test("a call to a tasks provider that asks for input before its task fails alone with input_required too", async () => {
    using box = sandbox();
    box.write(
      "hangar.yaml",
      `providers:\n  - ${JSON.stringify({ id: "jobs", command: fixture("tasks-server.ts") })}\n`,
    );
    await using client = await v2StdioClient(box, PINNED);
    const asked = answering(client);
    const batch = await client.callTool({
      name: "hangar_call",
      arguments: { calls: [{ provider: "jobs", tool: "test_tool_with_task" }] },
    });
    const { results } = batch.structuredContent as BatchResult;
    expect(results[0]!.error).toMatchObject({ type: "input_required", retryable: false });
    expect(results[0]!.error?.message).toContain('call "jobs__test_tool_with_task" by name');
    expect(asked).toEqual([]);
  }, 30_000);

  test("a 2025 client's batch still has the client asked, and the order goes through", async () => {
    using box = shopBox();
    await using client = await v2StdioClient(box, { versionNegotiation: { mode: "legacy" }, capabilities: ELICITS });
    const asked = answering(client);
    const batch = await client.callTool({ name: "hangar_call", arguments: { calls: [ORDER] } });
    expect((batch.structuredContent as BatchResult).results[0]!.result?.content[0]?.text).toBe("Ordered 3 × pears");
    expect(asked).toEqual(["How many pears?", "Order 3 × pears?"]);
  }, 30_000);
});

describe("over HTTP a 2025 provider's requests during a 2026-07-28 client's request", () => {
  test("are refused, and never reach a 2025 session whose older request runs on the same provider", async () => {
    using box = sandbox();
    box.write(
      "hangar.yaml",
      `providers:\n  - ${JSON.stringify({ id: "old", command: fixture("conformance-server.ts") })}\n`,
    );
    await using hangar = await startHttpHangar(box);
    // A 2025 session whose call waits on the provider's question until the test answers it.
    const { client: legacy } = await hangar.connect({ capabilities: { elicitation: {} } });
    let asked = 0;
    const answer = Promise.withResolvers<void>();
    legacy.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      await answer.promise;
      return { action: "decline" as const };
    });
    const waiting = legacy.callTool({ name: "old__test_streaming_elicitation", arguments: {} });
    await waitFor(() => asked === 1, 10_000, "the 2025 session to be asked");
    const modern = new Client({ name: "hangar-tests", version: "1.0.0" }, PINNED);
    await modern.connect(new StreamableHTTPClientTransport(new URL(`${hangar.base}/mcp`)));
    try {
      for (const call of [
        () => modern.callTool({ name: "old__test_streaming_elicitation", arguments: {} }),
        () =>
          modern.callTool({
            name: "hangar_call",
            arguments: { calls: [{ provider: "old", tool: "test_streaming_elicitation" }] },
          }),
      ]) {
        const text = JSON.stringify(await call());
        expect(text).toContain("Elicitation refused");
        expect(text).toContain("during a 2026-07-28 client's request");
      }
      expect(asked).toBe(1);
    } finally {
      answer.resolve();
      await waiting;
      await modern.close();
    }
  }, 30_000);
});
