// Issue 11: a plain tool call to a stdio provider goes on the connection's raw channel, past the SDK
// client's request funnel, and keeps what that funnel did: the era's framing, progress, cancellation, a
// connection closing under the call, JSON-RPC errors and the result's checks.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Client,
  type JSONRPCMessage,
  type Progress,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  type Transport,
} from "@modelcontextprotocol/client";
import type { ResolvedProvider } from "../src/config/types.ts";
import { CancelledError } from "../src/errors.ts";
import { classifyError } from "../src/gateway/classify.ts";
import { Gateway } from "../src/gateway/index.ts";
import { offeredCapabilities, rawToolCall } from "../src/pool/raw-tool-call.ts";
import { openRawChannel } from "../src/providers/raw-dispatch.ts";
import { StdioResponsesLast } from "../src/providers/responses-last.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

/** A stdio-like transport in memory: what was sent, and a way to deliver messages and the close. */
function memoryStdio() {
  const sent: JSONRPCMessage[] = [];
  const inner: Transport & { pid: number; stderr: string } = {
    pid: 1,
    stderr: "",
    start: async () => {},
    send: async (message) => void sent.push(message),
    close: async () => {},
  };
  const wrapped = new StdioResponsesLast(inner);
  return {
    wrapped,
    sent,
    deliver: (m: JSONRPCMessage) => inner.onmessage?.(m),
    close: () => inner.onclose?.(),
  };
}

/** A client stub of era `era` with a raw channel over a memory transport. */
function rawSetup(era: "modern" | "legacy") {
  const io = memoryStdio();
  const client = {
    getProtocolEra: () => era,
    getNegotiatedProtocolVersion: () => (era === "modern" ? "2026-07-28" : "2025-11-25"),
  } as unknown as Client;
  const channel = openRawChannel(client, io.wrapped, { elicitation: {} });
  return { ...io, client, channel };
}

const requestOf = (sent: JSONRPCMessage[]) => sent[0] as { id: string; params: Record<string, unknown> };

describe("A raw tool call (issue 11)", () => {
  test("a 2026-07-28 call carries the era's _meta envelope, the call's own keys winning, and a progress token of its own", async () => {
    const { client, channel, sent, deliver } = rawSetup("modern");
    const progress: Progress[] = [];
    const call = rawToolCall(client, channel, {
      signal: new AbortController().signal,
      params: {
        name: "echo",
        arguments: { text: "x" },
        _meta: { traceparent: "t", "io.modelcontextprotocol/clientCapabilities": { sampling: {} } },
      },
      allowInputRequired: false,
      onProgress: (p) => void progress.push(p),
    });
    const request = requestOf(sent);
    expect(request.id).toStartWith("hangar-raw-");
    const meta = request.params._meta as Record<string, unknown>;
    expect(meta).toMatchObject({
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "hangar" },
      "io.modelcontextprotocol/clientCapabilities": { sampling: {} },
      traceparent: "t",
    });
    expect(String(meta.progressToken)).toStartWith("hangar-raw-progress-");
    deliver({
      jsonrpc: "2.0",
      method: "notifications/progress",
      params: { progressToken: meta.progressToken as string, progress: 1, total: 2 },
    });
    deliver({
      jsonrpc: "2.0",
      id: request.id,
      result: { resultType: "complete", content: [{ type: "text", text: "x" }] },
    });
    expect(await call).toEqual({ content: [{ type: "text", text: "x" }] });
    expect(progress).toEqual([{ progress: 1, total: 2 }]);
  });

  test("a 2026-07-28 call declares the capabilities it is given, not the connection's", async () => {
    const { client, channel, sent, deliver } = rawSetup("modern");
    const call = rawToolCall(client, channel, {
      signal: new AbortController().signal,
      params: { name: "echo", arguments: { text: "x" } },
      allowInputRequired: false,
      capabilities: {},
    });
    const request = requestOf(sent);
    // The connection declared elicitation (rawSetup); this call's client nothing.
    expect((request.params._meta as Record<string, unknown>)["io.modelcontextprotocol/clientCapabilities"]).toEqual({});
    deliver({ jsonrpc: "2.0", id: request.id, result: { resultType: "complete", content: [] } });
    expect(await call).toEqual({ content: [] });
  });

  test("what a call's client is offered: what both it and the connection declared, as the connection declared it", () => {
    const declared = { sampling: {}, elicitation: { form: {} } };
    expect(offeredCapabilities(declared, {})).toEqual({});
    expect(offeredCapabilities(declared, { sampling: { tools: {} }, roots: {} })).toEqual({ sampling: {} });
    // All of it: the connection's own object (its envelope is made once); the same object for the same two.
    const caller = { sampling: {}, elicitation: {} };
    expect(offeredCapabilities(declared, caller)).toBe(declared);
    const some = { elicitation: {} };
    expect(offeredCapabilities(declared, some)).toBe(offeredCapabilities(declared, some));
    expect(offeredCapabilities(declared, some)).toEqual({ elicitation: { form: {} } });
  });

  test("a 2025 call is sent as it is, and its result is checked against the protocol's schema", async () => {
    const { client, channel, sent, deliver } = rawSetup("legacy");
    const call = rawToolCall(client, channel, {
      signal: new AbortController().signal,
      params: { name: "bad" },
      allowInputRequired: false,
    });
    expect(requestOf(sent).params).toEqual({ name: "bad" });
    deliver({ jsonrpc: "2.0", id: requestOf(sent).id, result: { content: [{ type: "text", text: 42 }] } });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkError);
    expect(classifyError(error, "p").message).toBe(
      'Provider "p" sent a malformed tool result: content.0.text: expected string, received number',
    );
  });

  test("a malformed 2026-07-28 result is an InvalidResult naming the field; a missing resultType too", async () => {
    for (const [result, problem] of [
      [
        { resultType: "complete", content: [{ type: "text", text: 42 }] },
        "content.0.text: expected string, received number",
      ],
      [{ resultType: "complete", content: "no" }, "content: expected array, received string"],
      [{ content: [] }, "missing required resultType"],
    ] as const) {
      const { client, channel, sent, deliver } = rawSetup("modern");
      const call = rawToolCall(client, channel, {
        signal: new AbortController().signal,
        params: { name: "t" },
        allowInputRequired: false,
      });
      deliver({ jsonrpc: "2.0", id: requestOf(sent).id, result: result as Record<string, unknown> });
      const error = await call.catch((e: unknown) => e);
      expect((error as SdkError).code).toBe(SdkErrorCode.InvalidResult);
      expect(classifyError(error, "p")).toMatchObject({ type: "protocol_error" });
      expect(classifyError(error, "p").message).toContain(problem);
    }
  });

  test("input_required is the result of a relayed round, and undefined (for the SDK client's handlers) otherwise", async () => {
    const answer = {
      resultType: "input_required",
      inputRequests: { q: { method: "elicitation/create" } },
      requestState: "s",
    };
    for (const allowInputRequired of [true, false]) {
      const { client, channel, sent, deliver } = rawSetup("modern");
      const call = rawToolCall(client, channel, {
        signal: new AbortController().signal,
        params: { name: "t" },
        allowInputRequired,
      });
      deliver({ jsonrpc: "2.0", id: requestOf(sent).id, result: answer });
      expect(await call).toEqual(allowInputRequired ? (answer as never) : undefined);
    }
  });

  test("a JSON-RPC error is the provider's ProtocolError, with its code and data", async () => {
    const { client, channel, sent, deliver } = rawSetup("modern");
    const call = rawToolCall(client, channel, {
      signal: new AbortController().signal,
      params: { name: "t" },
      allowInputRequired: false,
    });
    deliver({
      jsonrpc: "2.0",
      id: requestOf(sent).id,
      error: { code: -32021, message: "needs a task", data: { why: 1 } },
    });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: -32021, data: { why: 1 } });
  });

  test("a connection that closes under the call fails it with ConnectionClosed", async () => {
    const { client, channel, close } = rawSetup("legacy");
    const call = rawToolCall(client, channel, {
      signal: new AbortController().signal,
      params: { name: "t" },
      allowInputRequired: false,
    });
    close();
    expect(await call.catch((e: unknown) => e)).toMatchObject({ code: SdkErrorCode.ConnectionClosed });
  });

  test("an aborted 2026-07-28 call is cancelled upstream with the era's envelope and rejects with the signal's reason", async () => {
    const { client, channel, sent } = rawSetup("modern");
    const abort = new AbortController();
    const call = rawToolCall(client, channel, {
      signal: abort.signal,
      params: { name: "t" },
      allowInputRequired: false,
    });
    abort.abort(new CancelledError("the client went away"));
    await expect(call).rejects.toThrow("the client went away");
    expect(sent[1]).toMatchObject({
      method: "notifications/cancelled",
      params: { requestId: requestOf(sent).id, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } },
    });
  });
});

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

/** A gateway over the 2025 probe server ("old") and the 2026-07-28 fixture ("new"), each logging to `dir`. */
function eras(): { gateway: Gateway; log: (name: string) => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "hangar-raw-"));
  const provider = (id: string, script: string, env: Record<string, string>): ResolvedProvider => {
    const base = stdioProvider(id, fixture(script));
    return { ...base, transport: { ...base.transport, env } } as ResolvedProvider;
  };
  const gateway = new Gateway(
    configOf([
      provider("old", "probe-server.ts", { PROBE_LOG: join(dir, "old.log") }),
      provider("new", "modern-server.ts", { MODERN_LOG: join(dir, "new.log") }),
    ]),
  );
  open.push(gateway);
  const log = (name: string) => {
    try {
      return readFileSync(join(dir, `${name}.log`), "utf8")
        .split("\n")
        .filter(Boolean);
    } catch {
      return [];
    }
  };
  return { gateway, log };
}

describe("Pass-through calls on the raw channel, through the gateway (issue 11)", () => {
  test("a cancelled call of either era reaches its provider, whose request id is the raw channel's", async () => {
    const { gateway, log } = eras();
    for (const id of ["old", "new"]) {
      const controller = new AbortController();
      let running = false; // the 2026 fixture's wait reports progress 0 once it runs; the 2025 one logs it
      const call = gateway.callOne(
        { provider: id, tool: "wait" },
        { signal: controller.signal, onProgress: () => (running = true) },
      );
      await waitFor(
        () => running || log(id).some((l) => l.startsWith("waiting")),
        20_000,
        `the call to ${id} to be running`,
      );
      controller.abort(new CancelledError());
      expect(await call).toMatchObject({ ok: false, error: { type: "cancelled" } });
      await waitFor(
        () => log(id).some((l) => l.startsWith("cancelled hangar-raw-")),
        10_000,
        `${id} to see the cancellation`,
      );
    }
  });

  test("a call past its deadline is a timeout, cancelled upstream", async () => {
    const { gateway, log } = eras();
    await gateway.handles.get("new")!.ensureReady(AbortSignal.timeout(20_000));
    const result = await gateway.callOne({ provider: "new", tool: "wait", timeout_s: 0.3 });
    expect(result).toMatchObject({ ok: false, error: { type: "timeout" } });
    await waitFor(() => log("new").some((l) => l.startsWith("cancelled hangar-raw-")), 10_000, "the cancellation");
  });

  test("progress of either era is relayed in order, all of it before the answer", async () => {
    const { gateway } = eras();
    for (const [id, steps] of [
      ["old", 3],
      ["new", 4],
    ] as const) {
      const seen: Progress[] = [];
      const result = await gateway.callOne(
        { provider: id, tool: "progress", arguments: { steps } },
        { onProgress: (p) => void seen.push(p) },
      );
      expect(result.ok).toBe(true);
      expect(seen.map((p) => p.progress)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
      expect(seen.every((p) => p.total === steps)).toBe(true);
    }
  });

  test("a provider that exits during the call fails it with transport_error naming the exit", async () => {
    const { gateway } = eras();
    const result = await gateway.callOne({ provider: "old", tool: "crash" });
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { type: "transport_error" } });
    expect(result.error!.message).toBe('Provider "old" stopped during the call: it exited with code 3');
  });

  test("a 2026-07-28 answer comes back without the hop's _meta and without resultType", async () => {
    const { gateway } = eras();
    const result = await gateway.callOne({ provider: "new", tool: "echo", arguments: { text: "hi" } });
    expect(result.result).toEqual({ content: [{ type: "text", text: "hi" }] });
  });
});
