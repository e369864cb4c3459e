// Issue 11: the stdio byte layer on both sides of hangar. Lines are cut and decoded from the chunks they
// came in (a range of the chunk; only a line that spans chunks is joined), and the writes of one turn
// share one promise. These tests pin what must hold however the bytes arrive.
import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { LineSplitter } from "../src/providers/line-splitter.ts";
import { StdioServerTransport } from "../src/serve/stdio-server-transport.ts";
import { fakeChildTransport, idsIn, recordingSink } from "./helpers/fake-child.ts";

/** A provider transport over a fake child whose stdout chunks the test emits itself. */
async function providerTransport() {
  const stdout = new EventEmitter();
  const { sink, writes } = recordingSink();
  const transport = fakeChildTransport(sink, { stdout, maxLineBytes: 1000 });
  const messages: JSONRPCMessage[] = [];
  const errors: Error[] = [];
  transport.onmessage = (message) => messages.push(message);
  transport.onerror = (error) => errors.push(error);
  await transport.start();
  const feed = (...chunks: Buffer[]) => {
    for (const chunk of chunks) stdout.emit("data", chunk);
  };
  return { transport, feed, messages, errors, writes };
}

/** A front transport whose stdin chunks the test emits itself. */
async function frontTransport(maxMessageBytes = 1000) {
  const stdin = new EventEmitter() as EventEmitter & { pause(): void };
  stdin.pause = () => {};
  const { sink, writes } = recordingSink();
  const transport = new StdioServerTransport({
    stdin: stdin as unknown as NodeJS.ReadableStream,
    stdout: sink,
    maxMessageBytes,
  });
  const messages: JSONRPCMessage[] = [];
  transport.onmessage = (message) => messages.push(message);
  await transport.start();
  const feed = (...chunks: Buffer[]) => {
    for (const chunk of chunks) stdin.emit("data", chunk);
  };
  return { transport, feed, messages, writes };
}

/** `text` cut into chunks of `size` bytes (a multi-byte character may be cut in two). */
function bytesOf(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

const result = (id: string, text: string) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text }] } })}\n`;
const request = (id: number, text: string) =>
  `${JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "p__echo", arguments: { text } } })}\n`;
const textOf = (message: JSONRPCMessage) =>
  (message as unknown as { result: { content: { text: string }[] } }).result.content[0]!.text;

describe("Issue 11: the line splitter hands over ranges of the chunks", () => {
  test("Lines inside a chunk are ranges of it; a line across chunks is joined once; CR before LF is dropped", () => {
    const splitter = new LineSplitter(100);
    const seen: { same: boolean; text: string }[] = [];
    const chunk = Buffer.from('{"a":1}\r\n{"b":2}\n{"c"');
    splitter.pushLines(chunk, (bytes, start, end) =>
      seen.push({ same: bytes === chunk, text: bytes.toString("utf8", start, end) }),
    );
    splitter.pushLines(Buffer.from(":3}\n"), (bytes, start, end) =>
      seen.push({ same: false, text: bytes.toString("utf8", start, end) }),
    );
    expect(seen).toEqual([
      { same: true, text: '{"a":1}' },
      { same: true, text: '{"b":2}' },
      { same: false, text: '{"c":3}' },
    ]);
  });

  test("A line over the limit inside one chunk is refused after the lines before it, and the next line is read", () => {
    const splitter = new LineSplitter(5);
    const lines: string[] = [];
    const take = (bytes: Buffer, start: number, end: number) => lines.push(bytes.toString("utf8", start, end));
    expect(() => splitter.pushLines(Buffer.from("ok\n1234567\n"), take)).toThrow("a line longer than 5 bytes");
    splitter.pushLines(Buffer.from("next\n"), take);
    expect(lines).toEqual(["ok", "next"]);
  });
});

describe("Issue 11: a provider's stdout, however it is cut", () => {
  test("A message cut into one-byte chunks arrives whole, with a multi-byte character cut in two", async () => {
    const { feed, messages } = await providerTransport();
    const text = "héllo → 世界 🚀";
    feed(...bytesOf(result("hangar-raw-1", text), 1));
    expect(messages.map(textOf)).toEqual([text]);
  });

  test("Many messages in one chunk, one of them running into the next chunk, arrive in order", async () => {
    const { feed, messages } = await providerTransport();
    const all = ["a", "b", "ü", "d"].map((t, i) => result(`hangar-raw-${i}`, t)).join("");
    // Every cut position: the messages and their order never depend on where the reads end.
    for (let cut = 1; cut < all.length; cut++) {
      messages.length = 0;
      const bytes = Buffer.from(all);
      feed(bytes.subarray(0, cut), bytes.subarray(cut));
      expect(messages.map(textOf)).toEqual(["a", "b", "ü", "d"]);
    }
  });

  test("Bytes that are not UTF-8 inside a message are replaced, and the messages around them still arrive", async () => {
    const { feed, messages, errors } = await providerTransport();
    const bad = Buffer.concat([
      Buffer.from('{"jsonrpc":"2.0","id":"r1","result":{"content":[{"type":"text","text":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}]}}\nnot json\n   \n'),
      Buffer.from(result("r2", "fine")),
    ]);
    feed(bad.subarray(0, 70), bad.subarray(70));
    expect(messages.map(textOf)).toEqual(["\ufffd\ufffd\ufffd", "fine"]);
    expect(errors).toEqual([]);
  });

  test("A line over the limit fails the provider after handing over the messages before it, and nothing after", async () => {
    const { feed, messages, errors } = await providerTransport();
    feed(Buffer.from(`${result("r1", "before")}${"x".repeat(2000)}\n${result("r2", "after")}`));
    expect(messages.map(textOf)).toEqual(["before"]);
    expect(errors.map((error) => error.message)).toEqual([
      'Provider "p" failed: it wrote a line longer than 1000 bytes to stdout',
    ]);
    feed(Buffer.from(result("r3", "later")));
    expect(messages.length).toBe(1);
  });

  test("Sends of one turn share one promise and one write", async () => {
    const { transport, writes } = await providerTransport();
    const sends = [1, 2, 3].map((id) =>
      transport.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "t" } }),
    );
    expect(new Set(sends).size).toBe(1);
    await Promise.all(sends);
    expect(writes.length).toBe(1);
  });
});

describe("Issue 11: the front's stdin, however it is cut", () => {
  test("A request cut into one-byte chunks arrives whole, with a multi-byte character cut in two", async () => {
    const { feed, messages } = await frontTransport();
    const text = "naïve ✓ 🚀";
    feed(...bytesOf(request(1, text), 1));
    expect(
      messages.map((m) => (m as unknown as { params: { arguments: { text: string } } }).params.arguments.text),
    ).toEqual([text]);
  });

  test("Requests in one chunk and across chunks, CRLF and blank lines, arrive in order", async () => {
    const { feed, messages } = await frontTransport();
    const all = `${request(1, "a").replace("\n", "\r\n")}\n  \n${request(2, "é")}${request(3, "c")}`;
    for (let cut = 1; cut < all.length; cut++) {
      messages.length = 0;
      const bytes = Buffer.from(all);
      feed(bytes.subarray(0, cut), bytes.subarray(cut));
      expect(messages.map((m) => (m as { id: number }).id)).toEqual([1, 2, 3]);
    }
  });

  test("A request over the limit, whole in one chunk or across chunks, is answered with an error and the next is served", async () => {
    for (const size of [5000, 100]) {
      const { transport, feed, messages, writes } = await frontTransport(200);
      feed(...bytesOf(`${request(1, "x".repeat(300))}${request(2, "ok")}`, size));
      expect(messages.map((m) => (m as { id: number }).id)).toEqual([2]);
      await transport.flush();
      expect(writes.join("")).toContain("Message too large: the limit is 200 bytes");
    }
  });

  test("Answers of one turn share one promise and one write, and the requests count as answered once written", async () => {
    const { transport, feed, writes } = await frontTransport();
    feed(Buffer.from(`${request(1, "a")}${request(2, "b")}`));
    const sends = [1, 2].map((id) => transport.send({ jsonrpc: "2.0", id, result: { content: [] } }));
    expect(new Set(sends).size).toBe(1);
    await transport.idle();
    expect(writes.length).toBe(1);
    expect(idsIn(writes[0]!)).toEqual([1, 2]);
  });
});
