// Multi-round-trip requests through Hangar (issue 10, MCP 2026-07-28): a provider's input_required
// reaches the 2026 client that made the call, as Hangar's own input_required whose requestState is
// sealed and names the provider and tool, and the client's answers go back to that provider only.
// tests/fixtures/modern-server.ts's place_order asks twice (how many, then confirm).
import { describe, expect, test } from "bun:test";
import { Client, type ClientOptions, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { v2StdioClient } from "../helpers/v2-stdio-client.ts";

const textOf = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0]!.text;
const PINNED: ClientOptions = {
  versionNegotiation: { mode: { pin: "2026-07-28" } },
  capabilities: { elicitation: { form: {} } },
};

/**
 * A sandbox with two 2026-only providers, `a` and `b`, of the same fixture; each seals its own state with
 * the same key in every process, as a provider behind several Hangar replicas must.
 */
function twoModern(): Sandbox {
  const box = sandbox();
  const env = { MODERN_STATE_KEY: "modern-fixture-state-key-0123456789abcdef" };
  const entry = (id: string) => `  - ${JSON.stringify({ id, command: fixture("modern-server.ts"), env })}\n`;
  box.write("hangar.yaml", `providers:\n${entry("a")}${entry("b")}`);
  return box;
}

/** Answers the fixture's two questions: 3 of them, and yes. */
function answering(client: Client): string[] {
  const asked: string[] = [];
  client.setRequestHandler("elicitation/create", async (request) => {
    const { message } = request.params;
    asked.push(message);
    return message.startsWith("How many")
      ? { action: "accept", content: { quantity: 3 } }
      : { action: "accept", content: { confirm: true } };
  });
  return asked;
}

describe("a provider's input requests reach the 2026 client that made the call", () => {
  test("over stdio, a call needing two rounds of input is answered by the client and completes", async () => {
    using box = twoModern();
    await using client = await v2StdioClient(box, PINNED);
    const asked = answering(client);
    const result = await client.callTool({ name: "a__place_order", arguments: { item: "apples" } });
    expect(textOf(result)).toBe("Ordered 3 × apples");
    expect(asked).toEqual(["How many apples?", "Order 3 × apples?"]);
  }, 30_000);

  test("a 2025 client's call needing input gets it asked through the client's handlers, and completes (issue 11: the raw call falls back)", async () => {
    using box = twoModern();
    await using client = await v2StdioClient(box, {
      versionNegotiation: { mode: "legacy" },
      capabilities: { elicitation: { form: {} } },
    });
    const asked = answering(client);
    const result = await client.callTool({ name: "a__place_order", arguments: { item: "plums" } });
    expect(textOf(result)).toBe("Ordered 3 × plums");
    expect(asked).toEqual(["How many plums?", "Order 3 × plums?"]);
  }, 30_000);

  test("over HTTP, each round is its own sessionless request, and the call completes", async () => {
    using box = twoModern();
    await using hangar = await startHttpHangar(box);
    const client = new Client({ name: "hangar-tests", version: "1.0.0" }, PINNED);
    await client.connect(new StreamableHTTPClientTransport(new URL(`${hangar.base}/mcp`)));
    try {
      const asked = answering(client);
      const result = await client.callTool({ name: "b__place_order", arguments: { item: "pears" } });
      expect(textOf(result)).toBe("Ordered 3 × pears");
      expect(asked).toEqual(["How many pears?", "Order 3 × pears?"]);
    } finally {
      await client.close();
    }
  }, 30_000);

  test("a requestState is Hangar's own: tampered, or replayed against another provider's tool, it is refused", async () => {
    using box = twoModern();
    await using client = await v2StdioClient(box, { ...PINNED, inputRequired: { autoFulfill: false } });
    type Round = { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown> };
    const first = (await client.callTool(
      { name: "a__place_order", arguments: { item: "plums" } },
      { allowInputRequired: true },
    )) as unknown as Round;
    expect(first.resultType).toBe("input_required");
    expect(Object.keys(first.inputRequests ?? {})).toEqual(["quantity"]);
    const retry = (name: string, requestState: string) =>
      client.callTool(
        {
          name,
          arguments: { item: "plums" },
          inputResponses: { quantity: { action: "accept", content: { quantity: 2 } } },
          requestState,
        } as Parameters<Client["callTool"]>[0],
        { allowInputRequired: true },
      );
    await expect(retry("a__place_order", `${first.requestState!.slice(0, -4)}AAAA`)).rejects.toThrow(
      "Invalid or expired requestState",
    );
    await expect(retry("b__place_order", first.requestState!)).rejects.toThrow(/requestState/);
    const second = (await retry("a__place_order", first.requestState!)) as unknown as Round;
    expect(Object.keys(second.inputRequests ?? {})).toEqual(["confirm"]);
  }, 30_000);

  test("over HTTP, two Hangar processes with the same token each take a round of the same call", async () => {
    using box = twoModern();
    const token = "relay-test-token-0123456789abcdef0123456789";
    await using first = await startHttpHangar(box, ["--token", token]);
    await using second = await startHttpHangar(box, ["--token", token]);
    const connect = async (base: string) => {
      const client = new Client(
        { name: "hangar-tests", version: "1.0.0" },
        { ...PINNED, inputRequired: { autoFulfill: false } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      return client;
    };
    const [one, two] = [await connect(first.base), await connect(second.base)];
    try {
      type Round = { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown> };
      const round = (client: Client, requestState?: string, inputResponses?: object) =>
        client.callTool(
          {
            name: "a__place_order",
            arguments: { item: "figs" },
            ...(inputResponses ? { inputResponses } : {}),
            ...(requestState ? { requestState } : {}),
          } as Parameters<Client["callTool"]>[0],
          { allowInputRequired: true },
        ) as unknown as Promise<Round>;
      const asked = await round(one);
      expect(Object.keys(asked.inputRequests ?? {})).toEqual(["quantity"]);
      const confirm = await round(two, asked.requestState, {
        quantity: { action: "accept", content: { quantity: 4 } },
      });
      expect(Object.keys(confirm.inputRequests ?? {})).toEqual(["confirm"]);
      const done = await round(one, confirm.requestState, {
        confirm: { action: "accept", content: { confirm: true } },
      });
      expect(textOf(done)).toBe("Ordered 4 × figs");
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  }, 30_000);
});
