// The batch result: how each call's result is built, what the batch's elapsed_ms measures, and the one
// schema its type and hangar_call's outputSchema come from (issue 16).
import { afterEach, describe, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import Ajv from "ajv";
import { z } from "zod";
import { BatchResultSchema, BatchSummarySchema, Gateway } from "../src/gateway/index.ts";
import { Hangar } from "../src/lib/hangar.ts";
import { silentLogger } from "../src/observability/log.ts";
import { createHttpApp } from "../src/serve/http/index.ts";
import { relayCodec } from "../src/serve/input-relay.ts";
import { createServer, serveGateway } from "../src/serve/server.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});
function gateway(...args: ConstructorParameters<typeof Gateway>): Gateway {
  const g = new Gateway(...args);
  open.push(() => g.close());
  return g;
}

/** The fields of a call's result in the order docs/contract.md gives them. */
const CONTRACT_ORDER = [
  "index",
  "id",
  "provider",
  "tool",
  "ok",
  "result",
  "selected",
  "truncated",
  "original_bytes",
  "error",
  "elapsed_ms",
  "attempts",
];
/** The fields a plain result has (no select, nothing cut). */
const PLAIN = CONTRACT_ORDER.filter((key) => !["selected", "truncated", "original_bytes"].includes(key));

describe("A call's result (issue 16 item 2)", () => {
  test("is built once, its fields in the contract's order, whether the call succeeded, the tool reported an error or the call failed", async () => {
    const g = gateway(configOf([demoProvider("demo")]));
    const batch = await g.run({
      calls: [
        { provider: "demo", tool: "echo", arguments: { message: "hi" }, id: "fine" },
        { provider: "demo", tool: "fail", arguments: { message: "no" } },
        { provider: "nowhere", tool: "echo", id: "lost" },
      ],
    });
    const [fine, toolError, lost] = batch.results;
    expect(Object.keys(fine!)).toEqual(PLAIN.filter((key) => key !== "error"));
    expect(Object.keys(toolError!)).toEqual(PLAIN.filter((key) => key !== "id"));
    expect(Object.keys(lost!)).toEqual(PLAIN.filter((key) => key !== "result"));
    expect(toolError).toMatchObject({ index: 1, ok: false, attempts: 1, error: { type: "tool_error", message: "no" } });
    expect(lost).toMatchObject({ index: 2, ok: false, attempts: 0, error: { type: "unknown_provider" } });
    // Selected and cut results keep the contract's order too (issue 14).
    const trimmed = await g.run({
      calls: [
        { provider: "demo", tool: "add", arguments: { a: 1, b: 2 }, id: "s", select: ["/sum"] },
        { provider: "demo", tool: "echo", arguments: { message: "x".repeat(500) }, max_result_bytes: 100 },
      ],
    });
    expect(Object.keys(trimmed.results[0]!)).toEqual([
      "index",
      "id",
      "provider",
      "tool",
      "ok",
      "selected",
      "elapsed_ms",
      "attempts",
    ]);
    expect(Object.keys(trimmed.results[1]!)).toEqual(
      CONTRACT_ORDER.filter((key) => !["id", "selected", "error"].includes(key)),
    );
    // The provider's answer is typed as what it is: no cast to read it.
    const answer: CallToolResult | undefined = fine!.result;
    expect(answer?.content).toEqual([{ type: "text", text: "hi" }]);
  });
});

/** The fronts a batch can come through, each served in-process by one gateway and catalog. */
function fronts(g: Gateway) {
  const hangar = Hangar.over(g);
  const deps = { hangar, logger: silentLogger };
  const http = createHttpApp(deps, { host: "127.0.0.1", port: () => 8000 });
  open.push(async () => {
    await http.sessions.close();
    hangar.catalog.close();
  });
  const post = (body: unknown, accept = "application/json") =>
    http.app.request("http://127.0.0.1:8000/v1/call", {
      method: "POST",
      headers: { host: "127.0.0.1:8000", "content-type": "application/json", accept },
      body: JSON.stringify(body),
    });
  return {
    /** An MCP client of `hangar serve`'s server for this gateway. */
    async client(): Promise<Client> {
      const server = createServer(relayCodec());
      serveGateway(server, deps);
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      const client = new Client({ name: "test", version: "1" });
      await server.connect(serverSide);
      await client.connect(clientSide);
      open.push(async () => {
        await client.close();
      });
      return client;
    },
    /** `hangar_call` through an MCP client, as `hangar serve` answers it. */
    async mcp(batch: unknown): Promise<Record<string, unknown>> {
      const client = await this.client();
      const result = await client.callTool({ name: "hangar_call", arguments: batch as Record<string, unknown> });
      return result.structuredContent as Record<string, unknown>;
    },
    /** `POST /v1/call`, the whole result as JSON. */
    async json(batch: unknown): Promise<Record<string, unknown>> {
      return (await (await post(batch)).json()) as Record<string, unknown>;
    },
    /** `POST /v1/call` as NDJSON: its last line, the summary. */
    async ndjson(batch: unknown): Promise<Record<string, unknown>> {
      const lines = (await (await post(batch, "application/x-ndjson")).text()).trim().split("\n");
      return JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    },
  };
}

describe("A batch's elapsed_ms (issue 16 item 1)", () => {
  test("runs from the batch's acceptance to its last result on the gateway's clock, in every front", async () => {
    const clock = new FakeClock();
    const g = gateway(configOf([demoProvider("demo")]), { clock });
    expect((await g.run({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "warm" } }] })).ok).toBe(
      true,
    );
    const front = fronts(g);
    const batch = { calls: [{ provider: "demo", tool: "sleep", arguments: { ms: 300 } }] };
    for (const [name, send] of [
      ["hangar_call", front.mcp],
      ["POST /v1/call", front.json],
      ["POST /v1/call as NDJSON", front.ndjson],
    ] as const) {
      const answer = send.call(front, batch);
      await waitFor(() => g.load("demo").inFlight === 1, 10_000, `the call sent through ${name} to run`);
      await clock.advance(1234);
      const summary = await answer;
      expect({ name, ok: summary.ok, elapsed_ms: summary.elapsed_ms }).toEqual({ name, ok: true, elapsed_ms: 1234 });
    }
  });

  test("does not count what the reader does after the last result", async () => {
    const clock = new FakeClock();
    const g = gateway(configOf([demoProvider("demo")]), { clock });
    const stream = g.stream({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "hi" } }] });
    for await (const result of stream.results) {
      expect(result.ok).toBe(true);
      await clock.advance(5000); // rendering the row, say
    }
    expect(stream.summary().elapsed_ms).toBe(0);
    expect((await stream.collect()).elapsed_ms).toBe(0);
  });
});

describe("One schema for the batch result (issue 16 item 3)", () => {
  /** A batch whose results hold every shape: an id, a structured answer, a tool error, calls that fail alone. */
  const EVERY_SHAPE = {
    calls: [
      { provider: "demo", tool: "add", arguments: { a: 20, b: 22 }, id: "sum" },
      { provider: "demo", tool: "fail", arguments: { message: "no" } },
      { provider: "demo", tool: "add", arguments: { a: "twenty" } },
      { provider: "nowhere", tool: "echo", id: "lost" },
    ],
  };

  test("hangar_call advertises the zod schema's JSON Schema as its outputSchema, and it validates real results", async () => {
    const g = gateway(configOf([demoProvider("demo")]));
    const front = fronts(g);
    const client = await front.client();
    const { tools } = await client.listTools();
    const advertised = tools.find((tool) => tool.name === "hangar_call")!.outputSchema!;
    const { $schema: _, ...derived } = z.toJSONSchema(BatchResultSchema, { unrepresentable: "any" });
    expect(advertised).toEqual(derived as typeof advertised);

    // The SDK client checks structuredContent against the outputSchema it listed: a mismatch throws here.
    const answer = await client.callTool({ name: "hangar_call", arguments: EVERY_SHAPE });
    const batch = answer.structuredContent as z.infer<typeof BatchResultSchema>;
    expect(batch.results.map((r) => r.error?.type)).toEqual([
      undefined,
      "tool_error",
      "invalid_arguments",
      "unknown_provider",
    ]);
    const validate = new Ajv({ strict: false }).compile(advertised);
    for (const result of [batch, await g.run(EVERY_SHAPE), await front.json(EVERY_SHAPE)]) {
      expect(validate(result) ? [] : validate.errors).toEqual([]);
      expect(BatchResultSchema.strict().safeParse(result).success).toBe(true);
    }
    expect(BatchSummarySchema.strict().safeParse(await front.ndjson(EVERY_SHAPE)).success).toBe(true);
    // Anything the contract does not name is refused, so the schema and the results cannot drift apart.
    expect(validate({ ...batch, extra: 1 })).toBe(false);
  });
});
