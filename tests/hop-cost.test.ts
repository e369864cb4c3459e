// Issue 11: what a pass-through call costs on the hop. Each test pins one piece of duplicate work
// removed from the call path (counted, never timed).
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { Gateway } from "../src/gateway/index.ts";
import { TOOL_RESULT_SHAPE } from "../src/pool/upstream-call.ts";
import { asJsonRpcMessage } from "../src/providers/jsonrpc-envelope.ts";
import { startWatchdog } from "../src/providers/watchdog.ts";
import { AbortGroup, type BatchCall, runBatch, runOne, Semaphore, type Settled } from "../src/scheduler/index.ts";
import { StdioServerTransport } from "../src/serve/stdio-server-transport.ts";
import { fakeChildTransport, idsIn, recordingSink } from "./helpers/fake-child.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider } from "./helpers/providers.ts";

/** A few promise jobs, as a message's way through the SDK and the gateway takes. */
async function hops(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

const message = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { content: [] } });

describe("Issue 11: writes", () => {
  test("Answers finished in one turn after different chains of promise jobs go to stdout in one write", async () => {
    const { sink, writes } = recordingSink();
    const transport = new StdioServerTransport({ stdin: new PassThrough(), stdout: sink });
    await Promise.all(
      [1, 2, 3].map(async (id) => {
        await hops(id * 3);
        await transport.send(message(id));
      }),
    );
    expect(writes.length).toBe(1);
    expect(idsIn(writes[0]!)).toEqual([1, 2, 3]);
  });

  test("Requests sent to a provider in one turn after different chains of promise jobs go in one write, in order", async () => {
    const { sink, writes } = recordingSink();
    const transport = fakeChildTransport(sink);
    await transport.start();
    await Promise.all(
      [1, 2, 3].map(async (id) => {
        await hops(id * 3);
        await transport.send(message(id));
      }),
    );
    expect(writes.length).toBe(1);
    expect(idsIn(writes[0]!)).toEqual([1, 2, 3]);
  });
});

describe("Issue 11: a burst of requests to an idle provider", () => {
  test("Requests to a provider with none open, sent in one turn, still go in one write (a write at once would split the burst)", async () => {
    const { sink, writes } = recordingSink();
    const transport = fakeChildTransport(sink);
    await transport.start();
    await Promise.all(
      [1, 2, 3].map(async (id) => {
        await hops(id);
        await transport.send({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "t" } });
      }),
    );
    expect(writes.length).toBe(1);
  });
});

describe("Issue 11: validation done once", () => {
  test("A provider's line is taken by its JSON-RPC envelope, and anything else is not a message", () => {
    expect(asJsonRpcMessage({ jsonrpc: "2.0", id: 1, result: { content: [] } })).toBeDefined();
    expect(asJsonRpcMessage({ jsonrpc: "2.0", id: "a", error: { code: -32600, message: "no" } })).toBeDefined();
    expect(asJsonRpcMessage({ jsonrpc: "2.0", method: "notifications/progress", params: {} })).toBeDefined();
    expect(asJsonRpcMessage({ jsonrpc: "2.0", id: 2, method: "ping" })).toBeDefined();
    for (const bad of [
      null,
      [],
      "text",
      { id: 1, result: {} },
      { jsonrpc: "1.0", id: 1, result: {} },
      { jsonrpc: "2.0", id: 1.5, result: {} },
      { jsonrpc: "2.0", id: 1, result: [] },
      { jsonrpc: "2.0", result: {} },
      { jsonrpc: "2.0", id: 1, error: { code: "x", message: "m" } },
      { jsonrpc: "2.0", method: 3 },
      { jsonrpc: "2.0", method: "m", params: [1] },
    ])
      expect(asJsonRpcMessage(bad)).toBeUndefined();
  });

  test("A 2026 provider's tool result, checked against the wire schema as it was decoded, is checked for its shape only, absent content read as empty", async () => {
    const validate = (value: unknown) => TOOL_RESULT_SHAPE["~standard"].validate(value);
    const text = { content: [{ type: "text" as const, text: "hi" }], structuredContent: { a: 1 } };
    expect(await validate(text)).toEqual({ value: text });
    expect(await validate({ structuredContent: { a: 1 } })).toEqual({
      value: { structuredContent: { a: 1 }, content: [] },
    });
    expect(await validate({ content: "no" })).toMatchObject({ issues: [{ message: "content is not a list" }] });
    expect(await validate([])).toMatchObject({ issues: [{ message: "the result is not an object" }] });
  });
});

describe("Issue 11: signals per call", () => {
  test("A call of a batch with no batch deadline costs two abort controllers and one listener per source, none per call", async () => {
    const clock = new FakeClock();
    const outer = new AbortController();
    const counts = { controllers: 0, listeners: 0 };
    const Original = globalThis.AbortController;
    const originalAdd = AbortSignal.prototype.addEventListener;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        counts.controllers++;
      }
    };
    AbortSignal.prototype.addEventListener = function (this: AbortSignal, ...args: Parameters<typeof originalAdd>) {
      counts.listeners++;
      return originalAdd.apply(this, args);
    } as typeof originalAdd;
    try {
      const call: BatchCall<string> = { key: undefined, timeoutMs: 60_000, run: async () => "done" };
      const out: Settled<string>[] = [];
      for await (const settled of runBatch([call], {
        clock,
        global: new Semaphore(8),
        permitsFor: () => undefined,
        signals: [outer.signal],
      }))
        out.push(settled);
      expect(out[0]!.value).toBe("done");
    } finally {
      globalThis.AbortController = Original;
      AbortSignal.prototype.addEventListener = originalAdd;
    }
    // The batch's link (on the caller's signal) and the batch's one listener on its own signal; the call's
    // controller is aborted through the batch's list of running calls and its deadline's shared timer.
    expect(counts).toEqual({ controllers: 2, listeners: 2 });
    // Its deadline's timer is left set, fires once for nothing and is not set again (deadline-timers.ts).
    await clock.advance(60_000);
    expect(clock.pending).toBe(0);
  });
});

describe("Issue 11: a single call", () => {
  test("A single call costs one abort controller, one listener on its caller's signal and none on the gateway's", async () => {
    const clock = new FakeClock();
    const caller = new AbortController();
    const group = new AbortGroup();
    const counts = { controllers: 0, listeners: 0 };
    const Original = globalThis.AbortController;
    const originalAdd = AbortSignal.prototype.addEventListener;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        counts.controllers++;
      }
    };
    AbortSignal.prototype.addEventListener = function (this: AbortSignal, ...args: Parameters<typeof originalAdd>) {
      counts.listeners++;
      return originalAdd.apply(this, args);
    } as typeof originalAdd;
    try {
      const call: BatchCall<string> = { key: "p", timeoutMs: 60_000, run: async () => "done" };
      const settled = await runOne(call, {
        clock,
        global: new Semaphore(8),
        permitsFor: () => new Semaphore(8),
        signals: [caller.signal],
        group,
      });
      expect(settled.value).toBe("done");
    } finally {
      globalThis.AbortController = Original;
      AbortSignal.prototype.addEventListener = originalAdd;
    }
    expect(counts).toEqual({ controllers: 1, listeners: 1 });
    await clock.advance(60_000);
    expect(clock.pending).toBe(0);
  });
});

describe("A call to a ready provider", () => {
  test("goes out in the turn it is made: no turn waits on a provider that is ready already", async () => {
    await using gateway = new Gateway(configOf([demoProvider("demo")]));
    const echo = { provider: "demo", tool: "echo", arguments: { message: "x" } };
    expect((await gateway.callOne(echo)).ok).toBe(true); // started it
    const stats = gateway.handles.get("demo")!.stats;
    const before = stats.calls;
    const call = gateway.callOne(echo);
    // Nothing awaited yet: the request has been handed to the provider's connection already.
    expect(stats.calls).toBe(before + 1);
    expect((await call).ok).toBe(true);
  });
});

describe("Issue 11: exit", () => {
  test("Releasing a watchdog stops what is left of the group and removes its run file at once, starting no process for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-watchdog-"));
    const entryPath = join(dir, "entry.json");
    writeFileSync(entryPath, "{}");
    const group = spawn("sleep", ["30"], { detached: true, stdio: "ignore" });
    try {
      // No PATH: the watchdog could not start `rm` (or anything else) even if it tried.
      const watchdog = startWatchdog({ pgid: group.pid!, entryPath, env: { PATH: join(dir, "nothing") } });
      await watchdog.release();
      expect(existsSync(entryPath)).toBe(false);
      await waitFor(() => !isAlive(group.pid!), 5_000, "the group to be stopped");
    } finally {
      group.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
