// Issue 13: what a graceful drain waits for. A request counts until its response body has been sent in
// full, failed, or been abandoned by the client; a streamed answer counts until its last byte.
import { describe, expect, test } from "bun:test";
import { InFlight } from "../src/serve/in-flight.ts";

const never = new AbortController().signal;

/** A streamed body the test writes to and ends. */
function stream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    body,
    write: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
    end: () => controller.close(),
  };
}

describe("InFlight", () => {
  test("A streamed response counts until its last byte has been read, then idle resolves", async () => {
    const inFlight = new InFlight();
    const source = stream();
    const response = await inFlight.track(() => new Response(source.body, { status: 201, headers: { a: "b" } }));
    expect(response.status).toBe(201);
    expect(response.headers.get("a")).toBe("b");
    let idle = false;
    const waiting = inFlight.idle(never).then(() => (idle = true));
    const reader = response.body!.getReader();
    source.write("one");
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("one");
    expect(inFlight.size).toBe(1);
    expect(idle).toBe(false);
    source.end();
    expect((await reader.read()).done).toBe(true);
    await waiting;
    expect(inFlight.size).toBe(0);
  });

  test("A client that goes away ends the count and cancels the source", async () => {
    const inFlight = new InFlight();
    let cancelled: unknown;
    const body = new ReadableStream<Uint8Array>({
      cancel(reason) {
        cancelled = reason;
      },
    });
    const response = await inFlight.track(() => new Response(body));
    await response.body!.cancel("gone");
    expect(inFlight.size).toBe(0);
    expect(cancelled).toBe("gone");
  });

  test("Issue 18: a whole JSON answer ends the count when handed over, passed on as it is (not streamed)", async () => {
    const inFlight = new InFlight();
    const answer = Response.json({ jsonrpc: "2.0", id: 1, result: {} });
    const response = await inFlight.track(() => answer);
    expect(response).toBe(answer);
    expect(inFlight.size).toBe(0);
    await inFlight.idle(never);
  });

  test("A bodiless answer or a thrown handler ends the count at once", async () => {
    const inFlight = new InFlight();
    await inFlight.track(() => new Response(null, { status: 204 }));
    await expect(
      inFlight.track(() => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(inFlight.size).toBe(0);
  });

  test("idle resolves when its signal aborts, with requests still running, and leaves no listener", async () => {
    const inFlight = new InFlight();
    await inFlight.track(() => new Response(stream().body));
    const stop = new AbortController();
    const waiting = inFlight.idle(stop.signal);
    stop.abort();
    await waiting;
    expect(inFlight.size).toBe(1);
  });
});
