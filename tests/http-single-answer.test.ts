// Issue 18: a 2025 session request whose SSE stream carries only its answer is answered as plain JSON;
// anything else is streamed as the SDK wrote it, and a client that goes away cancels the stream.
import { describe, expect, test } from "bun:test";
import { singleAnswer } from "../src/serve/http/single-answer.ts";

const SSE = { "content-type": "text/event-stream", "cache-control": "no-cache", "mcp-session-id": "s1" };
const never = new AbortController().signal;

/** An SSE response the test writes to, event by event, as the SDK's transport does. */
function sse() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = "not cancelled";
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  return {
    response: new Response(body, { status: 200, headers: SSE }),
    event: (message: object) =>
      controller.enqueue(new TextEncoder().encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`)),
    comment: () => controller.enqueue(new TextEncoder().encode(": keepalive\n\n")),
    end: () => controller.close(),
    cancelled: () => cancelled,
  };
}

describe("singleAnswer", () => {
  test("a stream holding only the answer to the request becomes a JSON answer with the session header", async () => {
    const source = sse();
    source.event({ jsonrpc: "2.0", id: 7, result: { ok: true } });
    source.end();
    const answer = await singleAnswer(source.response, 7, never);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.headers.get("mcp-session-id")).toBe("s1");
    expect(answer.headers.has("cache-control")).toBe(false);
    expect(await answer.json()).toEqual({ jsonrpc: "2.0", id: 7, result: { ok: true } });
  });

  test("a notification before the answer keeps the stream, every byte of it, in order", async () => {
    const source = sse();
    const answering = singleAnswer(source.response, 7, never);
    source.event({ jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } });
    const answer = await answering;
    expect(answer.headers.get("content-type")).toBe("text/event-stream");
    source.event({ jsonrpc: "2.0", id: 7, result: {} });
    source.end();
    const lines = (await answer.text()).split("\n").filter((line) => line.startsWith("data: "));
    expect(lines.map((line) => JSON.parse(line.slice(6)).method ?? JSON.parse(line.slice(6)).id)).toEqual([
      "notifications/progress",
      7,
    ]);
  });

  test("a keep-alive, or an answer to another id, is streamed as it came", async () => {
    const quiet = sse();
    const answering = singleAnswer(quiet.response, 7, never);
    quiet.comment();
    const streamed = await answering;
    expect(streamed.headers.get("content-type")).toBe("text/event-stream");
    quiet.end();
    expect(await streamed.text()).toBe(": keepalive\n\n");

    const other = sse();
    other.event({ jsonrpc: "2.0", id: 8, result: {} });
    other.end();
    expect((await singleAnswer(other.response, 7, never)).headers.get("content-type")).toBe("text/event-stream");
  });

  test("a JSON answer passes through as it is", async () => {
    const json = Response.json({ jsonrpc: "2.0", id: 7, error: { code: -32600, message: "no" } }, { status: 400 });
    expect(await singleAnswer(json, 7, never)).toBe(json);
  });

  test("a client that goes away while the call runs cancels the stream", async () => {
    const source = sse();
    const gone = new AbortController();
    const answering = singleAnswer(source.response, 7, gone.signal);
    gone.abort(new Error("client went away"));
    await answering;
    expect((source.cancelled() as Error).message).toBe("client went away");
  });
});
