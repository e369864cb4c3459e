// Issue 11: the demo provider answers its everyday 2026-07-28 requests without loading the MCP SDK
// (src/demo/demo-front.ts). Its answers must be the SDK's own: each script below is sent to the compiled
// `hangar demo-provider` and to the SDK's `serveStdio` over the same tools (createDemoServer), and the
// lines they write must be equal (the `info` tool's process id aside).
import { describe, expect, test } from "bun:test";
import { PassThrough } from "node:stream";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import { createDemoServer } from "../../src/demo/demo-server.ts";
import { hangarBinary } from "../helpers/e2e.ts";
import { waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 20_000;

const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "hangar", version: "0.1.0" },
  "io.modelcontextprotocol/clientCapabilities": {},
};
const request = (id: string | number, method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: "2.0",
  id,
  method,
  params: { ...params, _meta: ENVELOPE },
});
const call = (id: string | number, name: string, args?: unknown) =>
  request(id, "tools/call", { name, ...(args === undefined ? {} : { arguments: args }) });
const listen = (id: string) => request(id, "subscriptions/listen", { notifications: { toolsListChanged: true } });

/** What `hangar call` sends a demo provider whose era it remembers, and the other instant tools. */
const EVERYDAY = [
  request("server-discover-probe-1", "server/discover"),
  request(0, "tools/list"),
  listen("listen:0"),
  call("hangar-raw-1", "echo", { message: "hi" }),
  call(2, "echo", { message: "ünïcödé ✓", extra: true }),
  call(3, "add", { a: 2, b: 40.5 }),
  call(4, "fail", {}),
  call(5, "fail", { message: "no" }),
  call(6, "info", {}),
  call(8, "sleep", { ms: 1 }),
  call(9, "sleep", { ms: 0, extra: "x" }),
  { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "listen:0" } },
  call(7, "info", {}),
];

/** Requests the front leaves to the SDK (the SDK's answer, then the connection stays the SDK's). */
const HANDED_OVER = [
  [request(0, "tools/list"), listen("listen:0"), call(1, "sleep", { ms: "1" }), call(2, "echo", { message: "hi" })],
  [request(0, "tools/list"), call(1, "echo", {}), call(2, "info", {})],
  [listen("l"), call(1, "add", { a: "2", b: 3 }), call(2, "info", {})],
  [call(1, "nope", {}), call(2, "echo", { message: "x" })],
  [call(1, "echo")],
  [call(1, "sleep", { ms: 1.5 }), call(2, "info", {})],
  [call(1, "sleep", { ms: -1 })],
  [call(1, "sleep", { ms: 600_001 })],
  [call(1, "sleep", { ms: 5 }), call(1, "sleep", { ms: 5 })],
  [request(1, "tools/list", { cursor: "x" })],
  [
    {
      ...request(1, "tools/list"),
      params: { _meta: { ...ENVELOPE, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } },
    },
  ],
  [{ jsonrpc: "2.0", id: 1, method: "ping", params: { _meta: ENVELOPE } }],
  [
    {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    },
    { jsonrpc: "2.0", method: "notifications/initialized" },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "echo", arguments: { message: "legacy" } } },
    { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "info", arguments: {} } },
  ],
];

/**
 * The lines with `info`'s pid blanked, sorted: the SDK acknowledges a subscription at its entry, ahead of
 * earlier requests its server instance answers, the front in arrival order (answers carry their ids).
 */
function normalized(lines: string[]): string[] {
  return lines.map((line) => line.replace(/pid\\?":\d+/g, "pid:0")).sort();
}

/** How many lines `messages` make a demo provider write (requests answered, listens acknowledged). */
function expectedLines(messages: object[]): number {
  return messages.filter((message) => "id" in message).length;
}

/**
 * The SDK path: serveStdio over createDemoServer in this process, fed `messages` one line at a time; the
 * lines written once every request is answered, or after `settleMs` when that is given.
 */
async function sdkAnswers(messages: object[], settleMs?: number): Promise<string[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: string[] = [];
  let text = "";
  output.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
    const parts = text.split("\n");
    text = parts.pop() ?? "";
    lines.push(...parts);
  });
  const served = serveStdio(() => createDemoServer({ name: "demo" }), {
    transport: new StdioServerTransport(input, output),
  });
  try {
    for (const message of messages) input.write(`${JSON.stringify(message)}\n`);
    if (settleMs !== undefined) await Bun.sleep(settleMs);
    else await waitFor(() => lines.length >= expectedLines(messages), 10_000, "the SDK's answers");
    return [...lines]; // Not what its close writes (a subscription's end).
  } finally {
    await served.close();
  }
}

/** The compiled `hangar demo-provider`, fed `messages` at once; it must exit 0 once stdin ends. */
async function binaryAnswers(messages: object[]): Promise<string[]> {
  const proc = Bun.spawn([hangarBinary(), "demo-provider", "--name", "demo"], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  for (const message of messages) proc.stdin.write(`${JSON.stringify(message)}\n`);
  await proc.stdin.flush();
  const lines: string[] = [];
  let text = "";
  const reader = proc.stdout.getReader();
  while (lines.length < expectedLines(messages)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
    const parts = text.split("\n");
    text = parts.pop() ?? "";
    lines.push(...parts);
  }
  reader.releaseLock();
  await proc.stdin.end();
  expect(await proc.exited).toBe(0);
  return lines;
}

describe("the demo provider's answers without the SDK (issue 11)", () => {
  test(
    "hangar's everyday 2026-07-28 requests get the SDK's own answers, key for key",
    async () => {
      const [binary, sdk] = await Promise.all([binaryAnswers(EVERYDAY), sdkAnswers(EVERYDAY)]);
      expect(binary).toHaveLength(expectedLines(EVERYDAY));
      // Byte for byte, the pid aside: the same keys in the same order.
      expect(normalized(binary)).toEqual(normalized(sdk));
    },
    TIMEOUT_MS,
  );

  test.each(HANDED_OVER.map((messages, i) => [i, messages] as const))(
    "requests it does not answer itself are the SDK's, and so is the rest of the connection (script %d)",
    async (_, messages) => {
      const [binary, sdk] = await Promise.all([binaryAnswers(messages), sdkAnswers(messages)]);
      expect(normalized(binary)).toEqual(normalized(sdk));
    },
    TIMEOUT_MS,
  );

  test(
    "a signal ends the subscriptions it acknowledged with a complete result, as the SDK does",
    async () => {
      const proc = Bun.spawn([hangarBinary(), "demo-provider", "--name", "demo"], {
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      });
      proc.stdin.write(`${JSON.stringify(listen("listen:0"))}\n`);
      await proc.stdin.flush();
      const reader = proc.stdout.getReader();
      let text = "";
      while (!text.includes("\n")) text += new TextDecoder().decode((await reader.read()).value);
      proc.kill("SIGTERM");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      expect(await proc.exited).toBe(0);
      const lines = text
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines[1]).toEqual({
        jsonrpc: "2.0",
        id: "listen:0",
        result: {
          resultType: "complete",
          _meta: {
            "io.modelcontextprotocol/subscriptionId": "listen:0",
            "io.modelcontextprotocol/serverInfo": { name: "hangar-demo-demo", version: expect.any(String) },
          },
        },
      });
    },
    TIMEOUT_MS,
  );

  test(
    "a sleep cancelled before its end is never answered, by the front or by the SDK it handed over to",
    async () => {
      const cancel = (id: number) => ({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id } });
      for (const script of [
        // Cancelled while the front holds the connection.
        [call(1, "sleep", { ms: 300 }), cancel(1), call(2, "echo", { message: "after" })],
        // Cancelled after a bad call handed the connection to the SDK: the sleep is still the front's.
        [call(1, "sleep", { ms: 300 }), call(2, "echo", {}), cancel(1), call(3, "echo", { message: "after" })],
      ]) {
        const proc = Bun.spawn([hangarBinary(), "demo-provider", "--name", "demo"], {
          stdin: "pipe",
          stdout: "pipe",
          stderr: "pipe",
        });
        for (const message of script) proc.stdin.write(`${JSON.stringify(message)}\n`);
        await proc.stdin.flush();
        // Past the sleep's end (a negative: nothing may come), then stdin ends and the rest is read.
        await Bun.sleep(800);
        await proc.stdin.end();
        const lines = (await new Response(proc.stdout).text())
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l));
        expect(await proc.exited).toBe(0);
        expect(lines.map((line) => line.id).sort()).toEqual(script.length === 3 ? [2] : [2, 3]);
        const sdk = (await sdkAnswers(script, 800)).map((line) => JSON.parse(line).id);
        expect(sdk.sort()).toEqual(lines.map((line) => line.id).sort());
      }
    },
    TIMEOUT_MS,
  );
});
