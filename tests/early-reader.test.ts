// The early reader of `hangar serve` (src/serve/early/): what it answers from recorded answers, what it
// leaves to the SDK, and what it hands over.
import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { EarlyReader, REPLAYED_INITIALIZE_ID } from "../src/serve/early/early-reader.ts";
import { earlyRequestOf } from "../src/serve/early/early-request.ts";

const ANSWERS = { "2025-06-18": { initialize: { protocolVersion: "2025-06-18" }, tools: { tools: [] } } };
const line = (message: object) => `${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`;
const INIT = line({
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
});
const INITIALIZED = line({ method: "notifications/initialized" });
const LIST = line({ id: 2, method: "tools/list" });

function reader() {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let written = "";
  stdout.on("data", (chunk: Buffer) => (written += chunk.toString()));
  const early = new EarlyReader({ answers: ANSWERS, stdin, stdout, patienceMs: 60_000 });
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  return { stdin, early, tick, written: () => written };
}

describe("the early reader", () => {
  test("answers initialize and tools/list, asks for the SDK, and hands over the handshake to replay", async () => {
    const { stdin, early, tick, written } = reader();
    let load = false;
    void early.loadNow.then(() => (load = true));
    stdin.write(INIT.slice(0, 20));
    stdin.write(INIT.slice(20) + INITIALIZED);
    await tick();
    expect(load).toBe(false);
    stdin.write(`${LIST}{"jsonrpc":"2.0","id":3,`);
    await tick();
    expect(load).toBe(true);
    expect(
      written()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { jsonrpc: "2.0", id: 1, result: ANSWERS["2025-06-18"].initialize },
      { jsonrpc: "2.0", id: 2, result: ANSWERS["2025-06-18"].tools },
    ]);
    const handover = early.handOver();
    expect(handover.replay.map((l) => JSON.parse(l).id ?? JSON.parse(l).method)).toEqual([
      REPLAYED_INITIALIZE_ID,
      "notifications/initialized",
    ]);
    expect(handover.rest.toString()).toBe('{"jsonrpc":"2.0","id":3,');
    expect(handover.ended).toBe(false);
  });

  test("from the first line it does not answer, every byte waits for the SDK", async () => {
    const { stdin, early, tick, written } = reader();
    const ping = line({ id: 9, method: "ping" });
    stdin.write(INIT + INITIALIZED + ping + LIST);
    stdin.end();
    await early.loadNow;
    await tick();
    expect(written().split("\n").filter(Boolean)).toHaveLength(1);
    const handover = early.handOver();
    expect(handover.rest.toString()).toBe(ping + LIST);
    expect(handover.ended).toBe(true);
  });

  test("an unrecorded version, a malformed line or tools/list before the handshake is not answered", async () => {
    for (const first of [
      INIT.replace("2025-06-18", "2025-03-26"),
      "{not json\n",
      LIST,
      line({ id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {} } }),
    ]) {
      const { stdin, early, written } = reader();
      stdin.write(first + INIT);
      await early.loadNow;
      expect(written()).toBe("");
      expect(early.handOver().rest.toString()).toBe(first + INIT);
    }
  });

  test("recognizes only plain 2025 requests: per-request _meta, a cursor or an unknown capability are the SDK's", () => {
    const init = (params: object) => ({ jsonrpc: "2.0", id: 1, method: "initialize", params });
    const plain = { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } };
    expect(earlyRequestOf(init(plain))).toEqual({ kind: "initialize", id: 1, version: "2025-06-18" });
    expect(earlyRequestOf(init({ ...plain, _meta: {} }))).toBeUndefined();
    expect(earlyRequestOf(init({ ...plain, capabilities: { roots: { listChanged: "yes" } } }))).toBeUndefined();
    expect(earlyRequestOf(init({ ...plain, capabilities: { tasks: {} } }))).toBeUndefined();
    expect(earlyRequestOf(init({ ...plain, clientInfo: { name: "t" } }))).toBeUndefined();
    expect(earlyRequestOf({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { cursor: "x" } })).toBeUndefined();
    expect(earlyRequestOf({ jsonrpc: "2.0", id: 2, method: "tools/list", params: { _meta: {} } })).toBeUndefined();
    expect(earlyRequestOf({ jsonrpc: "2.0", id: 2.5, method: "tools/list" })).toBeUndefined();
    expect(earlyRequestOf({ jsonrpc: "2.0", id: "a", method: "tools/list", params: {} })).toEqual({
      kind: "tools/list",
      id: "a",
    });
  });
});
