// tests/fixtures/modern-server.ts is a provider of MCP 2026-07-28 only, built on the v2 SDK. These tests
// drive it with the v2 client pinned to 2026-07-28 (progress, cancellation, two rounds of input requests,
// list_changed on subscriptions/listen) and show that a 2025-era client cannot use it: the fixture the
// SDK v2 migration's one-batch-across-eras test puts beside the 2025 providers (docs/sdk-v2-migration.md).
import { describe, expect, test } from "bun:test";
import { Client, type ClientOptions, type Progress } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as V1StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ResponsesLast } from "../src/providers/responses-last.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const [command, ...args] = fixture("modern-server.ts") as [string, ...string[]];
const textOf = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0]!.text;

/**
 * A v2 client connected to a fresh fixture process, pinned to 2026-07-28 unless `options` say otherwise;
 * closed (and the process ended) on dispose. Its transport is wrapped in ResponsesLast, as Hangar's
 * upstream clients will be, so no progress is lost to the SDK's ordering.
 */
async function connect(options: ClientOptions = {}): Promise<Client & AsyncDisposable> {
  const client = new Client(
    { name: "hangar-tests", version: "1.0.0" },
    {
      versionNegotiation: { mode: { pin: "2026-07-28" } },
      ...options,
    },
  ) as Client & AsyncDisposable;
  await client.connect(new ResponsesLast(new StdioClientTransport({ command, args, stderr: "ignore" })));
  client[Symbol.asyncDispose] = () => client.close();
  return client;
}

describe("the 2026-only fixture on the v2 SDK", () => {
  test("a v2 client pinned to 2026-07-28 connects in the modern era and lists the fixture's tools", async () => {
    await using client = await connect();
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    expect(client.getDiscoverResult()?.supportedVersions).toEqual(["2026-07-28"]);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      [
        "add_tool",
        "cancellations",
        "echo",
        "place_order",
        "progress",
        "told_capabilities",
        "touch_watched",
        "wait",
        "watched_listens",
      ].sort(),
    );
    expect(textOf(await client.callTool({ name: "echo", arguments: { text: "hi" } }))).toBe("hi");
  }, 20_000);

  test("a v2 client in auto mode finds the modern era too", async () => {
    await using client = await connect({ versionNegotiation: { mode: "auto" } });
    expect(client.getProtocolEra()).toBe("modern");
  }, 20_000);

  test("every progress notification of a call reaches the caller before its result", async () => {
    await using client = await connect();
    const seen: Progress[] = [];
    const result = await client.callTool(
      { name: "progress", arguments: { steps: 3 } },
      { onprogress: (p) => void seen.push(p) },
    );
    expect(textOf(result)).toBe("done after 3 steps");
    expect(seen.map((p) => [p.progress, p.total, p.message])).toEqual([
      [1, 3, "step 1"],
      [2, 3, "step 2"],
      [3, 3, "step 3"],
    ]);
  }, 20_000);

  test("no progress is lost over many calls in a row when responses are delivered last", async () => {
    await using client = await connect();
    const counts: number[] = [];
    for (let i = 0; i < 50; i++) {
      let seen = 0;
      await client.callTool({ name: "progress", arguments: { steps: 3 } }, { onprogress: () => void seen++ });
      counts.push(seen);
    }
    expect(counts.filter((seen) => seen !== 3)).toEqual([]);
  }, 20_000);

  test("aborting a running call cancels it in the provider", async () => {
    await using client = await connect();
    const abort = new AbortController();
    const call = client.callTool(
      { name: "wait", arguments: {} },
      { signal: abort.signal, onprogress: () => abort.abort(new Error("cancelled by the test")) },
    );
    await expect(call).rejects.toThrow("cancelled by the test");
    await waitFor(
      async () => textOf(await client.callTool({ name: "cancellations", arguments: {} })) === "1",
      5_000,
      "the fixture to count the cancellation",
    );
  }, 20_000);

  test("a call needing two rounds of input is answered by the client's elicitation handler, then completes", async () => {
    await using client = await connect({ capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler("elicitation/create", async (request) => {
      const { message } = request.params;
      asked.push(message);
      return message.startsWith("How many")
        ? { action: "accept", content: { quantity: 3 } }
        : { action: "accept", content: { confirm: true } };
    });
    const result = await client.callTool({ name: "place_order", arguments: { item: "apples" } });
    expect(textOf(result)).toBe("Ordered 3 × apples");
    expect(asked).toEqual(["How many apples?", "Order 3 × apples?"]);
  }, 20_000);

  test("an input round comes back as input_required in manual mode, and a forged requestState is refused", async () => {
    await using client = await connect({
      capabilities: { elicitation: { form: {} } },
      inputRequired: { autoFulfill: false },
    });
    const first = (await client.callTool(
      { name: "place_order", arguments: { item: "pears" } },
      { allowInputRequired: true },
    )) as unknown as { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown> };
    expect(first.resultType).toBe("input_required");
    expect(Object.keys(first.inputRequests ?? {})).toEqual(["quantity"]);
    expect(first.requestState).toStartWith("v1.");

    // The retry fields are not in CallToolRequest's params type in 2.4.0, hence the cast.
    const retry = (requestState: string) =>
      client.callTool(
        {
          name: "place_order",
          arguments: { item: "pears" },
          inputResponses: { quantity: { action: "accept", content: { quantity: 2 } } },
          requestState,
        } as Parameters<Client["callTool"]>[0],
        { allowInputRequired: true },
      );
    await expect(retry(`${first.requestState!.slice(0, -4)}AAAA`)).rejects.toThrow("Invalid or expired requestState");
    const second = (await retry(first.requestState!)) as unknown as { inputRequests?: Record<string, unknown> };
    expect(Object.keys(second.inputRequests ?? {})).toEqual(["confirm"]);
  }, 20_000);

  test("list_changed reaches a client that listens with subscriptions/listen", async () => {
    await using client = await connect();
    let changes = 0;
    client.setNotificationHandler("notifications/tools/list_changed", async () => {
      changes++;
    });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toEqual({ toolsListChanged: true });
    await client.callTool({ name: "add_tool", arguments: { name: "added" } });
    await waitFor(() => changes > 0, 5_000, "notifications/tools/list_changed");
    const { tools } = await client.listTools({}, { cacheMode: "refresh" });
    expect(tools.map((t) => t.name)).toContain("added");
    await subscription.close();
  }, 20_000);

  test("a 2025-era client (SDK v1, initialize) cannot connect: its initialize gets unsupported protocol version", async () => {
    const client = new V1Client({ name: "hangar-tests", version: "1.0.0" });
    const transport = new V1StdioClientTransport({ command, args, stderr: "ignore" });
    try {
      await expect(client.connect(transport)).rejects.toThrow(
        "MCP error -32022: Unsupported protocol version: 2025-11-25",
      );
    } finally {
      await client.close().catch(() => {});
    }
  }, 20_000);

  test("a raw 2025 initialize line is answered with an error that carries its id, not a session", async () => {
    const proc = Bun.spawn([command, ...args], { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
    try {
      proc.stdin.write(
        `${JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method: "initialize",
          params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
        })}\n`,
      );
      await proc.stdin.flush();
      const reader = proc.stdout.getReader();
      let received = "";
      while (!received.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        received += new TextDecoder().decode(value);
      }
      const answer = JSON.parse(received.split("\n")[0]!) as {
        id: number;
        result?: unknown;
        error?: { code: number; data?: { supported?: string[] } };
      };
      expect(answer.id).toBe(7);
      expect(answer.result).toBeUndefined();
      expect(answer.error?.data?.supported).toEqual(["2026-07-28"]);
    } finally {
      proc.stdin.end();
      await proc.exited;
    }
  }, 20_000);
});
