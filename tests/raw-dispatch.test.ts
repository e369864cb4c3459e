// Issue 10, tasks: the raw channel beside each upstream client (task traffic the 2.4.0 client refuses).
// Its answers and progress never reach the client; the client's never reach it; a connection that closes
// answers its pending requests with ConnectionClosed instead of leaving them waiting.
import { describe, expect, test } from "bun:test";
import type { Client, JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { openRawChannel, rawChannelOf } from "../src/providers/raw-dispatch.ts";
import { ResponsesLast } from "../src/providers/responses-last.ts";

/** An in-memory transport: what was sent, and a way to deliver messages and the close. */
function memoryTransport() {
  const sent: JSONRPCMessage[] = [];
  const transport: Transport = {
    start: async () => {},
    send: async (message) => void sent.push(message),
    close: async () => {},
  };
  return {
    transport,
    sent,
    deliver: (m: JSONRPCMessage) => transport.onmessage?.(m),
    close: () => transport.onclose?.(),
  };
}

describe("The raw channel of an upstream connection (issue 10, tasks)", () => {
  test("its answers and progress go to it, the client's answers to the client", async () => {
    const inner = memoryTransport();
    const wrapped = new ResponsesLast(inner.transport);
    const seenByClient: JSONRPCMessage[] = [];
    wrapped.onmessage = (m) => void seenByClient.push(m);
    const client = {} as Client;
    const channel = openRawChannel(client, wrapped, { elicitation: {} });
    expect(rawChannelOf(client)).toBe(channel);

    const progress: unknown[] = [];
    const watch = channel.progress((p) => void progress.push(p));
    const answer = channel.dispatch({
      method: "tasks/get",
      params: { taskId: "t", _meta: { progressToken: watch.token } },
    });
    const request = inner.sent[0] as { id: string; method: string };
    expect(request).toMatchObject({ method: "tasks/get", params: { taskId: "t" } });
    expect(typeof request.id).toBe("string");

    inner.deliver({
      jsonrpc: "2.0",
      method: "notifications/progress",
      params: { progressToken: watch.token, progress: 1 },
    });
    inner.deliver({ jsonrpc: "2.0", id: 1, result: { content: [] } });
    inner.deliver({ jsonrpc: "2.0", id: request.id, result: { status: "working" } });
    expect(await answer).toEqual({ kind: "result", result: { status: "working" } });
    expect(progress).toEqual([{ progress: 1 }]);
    await Promise.resolve();
    expect(seenByClient).toEqual([{ jsonrpc: "2.0", id: 1, result: { content: [] } }]);
    watch.stop();
  });

  test("a request pending when the connection closes is answered with ConnectionClosed", async () => {
    const inner = memoryTransport();
    const wrapped = new ResponsesLast(inner.transport);
    const channel = openRawChannel({} as Client, wrapped, {});
    const answer = channel.dispatch({ method: "tools/call", params: { name: "slow" } });
    inner.close();
    expect(await answer).toMatchObject({ kind: "error", error: { code: -32000 } });
  });

  test("an aborted request is cancelled upstream and rejects with the signal's reason", async () => {
    const inner = memoryTransport();
    const channel = openRawChannel({} as Client, new ResponsesLast(inner.transport), {});
    const abort = new AbortController();
    const answer = channel.dispatch({ method: "tools/call", params: { name: "slow" } }, { signal: abort.signal });
    const { id } = inner.sent[0] as { id: string };
    abort.abort(new Error("stop"));
    await expect(answer).rejects.toThrow("stop");
    expect(inner.sent[1]).toMatchObject({ method: "notifications/cancelled", params: { requestId: id } });
  });
  test("a request follows its signal with one listener without options, gone once it is answered", async () => {
    // Bun parses an addEventListener options object on every call (issue 11: ~1.6 µs of a raw call's
    // ~2.4 µs add and remove), so the raw channel adds its abort listener bare and removes it itself.
    const inner = memoryTransport();
    const channel = openRawChannel({} as Client, new ResponsesLast(inner.transport), {});
    const abort = new AbortController();
    const added: unknown[][] = [];
    const removed: unknown[] = [];
    const { signal } = abort;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added.push(args);
      add(...args);
    }) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed.push(args[1]);
      remove(...args);
    }) as typeof remove;
    const answer = channel.request("tools/call", { name: "echo" }, signal);
    const { id } = inner.sent[0] as { id: string };
    expect(added).toHaveLength(1);
    expect(added[0]![0]).toBe("abort");
    expect(added[0]![2]).toBeUndefined();
    inner.deliver({ jsonrpc: "2.0", id, result: { content: [] } });
    expect(await answer).toMatchObject({ id, result: { content: [] } });
    expect(removed).toEqual([added[0]![1]]);
    abort.abort(new Error("too late"));
    expect(inner.sent).toHaveLength(1);
  });
});
