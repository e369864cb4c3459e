// `hangar serve` speaks both protocol eras on the same endpoint (issue 10): a v2 SDK client pinned to
// 2026-07-28, a v2 client in `auto` mode and a 2025-06-18 client speaking raw JSON-RPC each list tools
// and run a hangar_call batch with progress, then cancel a batch and see the cancellation reach the
// provider (tests/fixtures/probe-server.ts logs it in $PROBE_LOG).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client, type ClientOptions, type Progress, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { hangarBinary, killLeftovers, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { type HttpHangar, startHttpHangar } from "../helpers/http-serve.ts";
import { hangarCallRequest, INITIALIZED, initializeRequest } from "../helpers/jsonrpc.ts";
import { fixture, ROOT } from "../helpers/paths.ts";
import { descendants, outputOf, waitFor } from "../helpers/processes.ts";
import { v2StdioClient } from "../helpers/v2-stdio-client.ts";

/** What the probe fixture logged so far. */
function readLog(box: Sandbox): string {
  try {
    return readFileSync(join(box.root, "probe.log"), "utf8");
  } catch {
    return "";
  }
}

/** A sandbox whose hangar.yaml has the probe fixture, logging to `probe.log`. */
function probeBox(): Sandbox & { cancelled(): number } {
  const box = sandbox();
  box.write(
    "hangar.yaml",
    `providers:\n  - ${JSON.stringify({ id: "probe", command: fixture("probe-server.ts"), env: { PROBE_LOG: join(box.root, "probe.log") } })}\n`,
  );
  const cancelled = () => readLog(box).match(/^cancelled /gm)?.length ?? 0;
  return Object.assign(box, { cancelled });
}

const ECHO = { provider: "probe", tool: "echo", arguments: { text: "a" } };
const WAIT = { provider: "probe", tool: "wait" };
const summaryOf = (result: unknown) => {
  const { ok, total, succeeded } = (result as { structuredContent: Record<string, unknown> }).structuredContent;
  return { ok, total, succeeded };
};

/**
 * Through a v2 client: lists tools, runs [echo, echo] with progress, then runs [echo, wait], aborts it at
 * the first progress (echo done) and waits until the provider saw the cancellation.
 */
async function exercise(client: Client, box: { cancelled(): number }): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name)).toContain("hangar_call");
  expect(tools.map((t) => t.name)).toContain("probe__echo");

  const seen: Progress[] = [];
  const done = await client.callTool(
    { name: "hangar_call", arguments: { calls: [ECHO, ECHO] } },
    { onprogress: (p) => void seen.push(p) },
  );
  expect(summaryOf(done)).toEqual({ ok: true, total: 2, succeeded: 2 });
  expect(seen.map((p) => [p.progress, p.total])).toEqual([
    [1, 2],
    [2, 2],
  ]);

  const abort = new AbortController();
  const cancelled = client.callTool(
    { name: "hangar_call", arguments: { calls: [ECHO, WAIT] } },
    { signal: abort.signal, onprogress: () => abort.abort() },
  );
  await expect(cancelled).rejects.toThrow();
  await waitFor(() => box.cancelled() === 1, 10_000, "the provider to see the cancellation");
}

describe("hangar serve over stdio serves both protocol eras", () => {
  test("a v2 client pinned to 2026-07-28 lists tools, runs a batch with progress and cancels one", async () => {
    using box = probeBox();
    await using client = await v2StdioClient(box, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    expect(client.getProtocolEra()).toBe("modern");
    expect(client.getNegotiatedProtocolVersion()).toBe("2026-07-28");
    await exercise(client, box);
  }, 30_000);

  test("a v2 client in auto mode gets the 2026-07-28 era and does the same", async () => {
    using box = probeBox();
    await using client = await v2StdioClient(box, { versionNegotiation: { mode: "auto" } });
    expect(client.getProtocolEra()).toBe("modern");
    await exercise(client, box);
  }, 30_000);

  test("a 2026-07-28 client listening with subscriptions/listen hears that the tool list changed", async () => {
    using box = probeBox();
    await using client = await v2StdioClient(box, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    let changes = 0;
    client.setNotificationHandler("notifications/tools/list_changed", async () => {
      changes++;
    });
    await client.listTools();
    const subscription = await client.listen({ toolsListChanged: true });
    await client.callTool({ name: "probe__add_tool", arguments: { name: "fresh" } });
    await waitFor(() => changes > 0, 10_000, "notifications/tools/list_changed");
    await waitFor(
      async () => (await client.listTools()).tools.some((t) => t.name === "probe__fresh"),
      10_000,
      "the new tool in the list",
    );
    await subscription.close();
  }, 30_000);

  test("a 2025-06-18 client speaking raw JSON-RPC lists tools, runs a batch with progress and cancels one", async () => {
    using box = probeBox();
    const proc = Bun.spawn([hangarBinary(), "serve"], {
      cwd: box.cwd,
      env: box.env,
      stdin: "pipe",
      stdout: "pipe",
      stderr: "ignore",
    });
    const lines: Record<string, unknown>[] = [];
    void (async () => {
      let buffer = "";
      for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        for (let at = buffer.indexOf("\n"); at !== -1; at = buffer.indexOf("\n")) {
          lines.push(JSON.parse(buffer.slice(0, at)));
          buffer = buffer.slice(at + 1);
        }
      }
    })();
    const send = (message: object) => {
      proc.stdin.write(`${JSON.stringify(message)}\n`);
      proc.stdin.flush();
    };
    const answer = async (id: number) => {
      await waitFor(() => lines.some((line) => line.id === id), 15_000, `the answer to request ${id}`);
      return lines.find((line) => line.id === id) as { result?: Record<string, unknown>; error?: unknown };
    };
    const progress = (token: string) =>
      lines.filter(
        (line) =>
          line.method === "notifications/progress" &&
          (line.params as { progressToken: string }).progressToken === token,
      );
    try {
      send(initializeRequest(1));
      expect((await answer(1)).result?.protocolVersion).toBe("2025-06-18");
      send(INITIALIZED);
      send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
      const tools = (await answer(2)).result?.tools as { name: string }[];
      expect(tools.map((t) => t.name)).toContain("hangar_call");

      const withToken = (request: object, token: string) => {
        const r = request as { params: Record<string, unknown> };
        return { ...r, params: { ...r.params, _meta: { progressToken: token } } };
      };
      send(withToken(hangarCallRequest(3, [ECHO, ECHO]), "p3"));
      expect(summaryOf((await answer(3)).result)).toEqual({ ok: true, total: 2, succeeded: 2 });
      expect(progress("p3").length).toBe(2);

      send(withToken(hangarCallRequest(4, [ECHO, WAIT]), "p4"));
      await waitFor(() => progress("p4").length === 1, 15_000, "the echo's progress");
      send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 4 } });
      await waitFor(() => box.cancelled() === 1, 10_000, "the provider to see the cancellation");
      send(hangarCallRequest(5, [ECHO]));
      expect(summaryOf((await answer(5)).result)).toEqual({ ok: true, total: 1, succeeded: 1 });
      expect(lines.some((line) => line.id === 4)).toBe(false);
    } finally {
      const below = descendants(proc.pid);
      proc.stdin.end();
      await proc.exited;
      killLeftovers(new Set(below));
    }
  }, 30_000);
});

/** A v2 client on `hangar`'s `/mcp`. */
async function httpClient(hangar: HttpHangar, options: ClientOptions): Promise<Client & AsyncDisposable> {
  const client = new Client({ name: "hangar-tests", version: "1.0.0" }, options) as Client & AsyncDisposable;
  await client.connect(new StreamableHTTPClientTransport(new URL(`${hangar.base}/mcp`)));
  client[Symbol.asyncDispose] = () => client.close();
  return client;
}

/** The JSON-RPC messages of an HTTP answer: one JSON body, or the `data:` lines of an SSE stream. */
async function messagesOf(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) return [JSON.parse(text)];
  return text
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => JSON.parse(line.slice(5)));
}

describe("hangar serve --http serves both protocol eras on /mcp", () => {
  test("a v2 client pinned to 2026-07-28 lists tools, runs a batch with progress, and closing its stream cancels a call upstream", async () => {
    using box = probeBox();
    await using hangar = await startHttpHangar(box);
    await using client = await httpClient(hangar, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    expect(client.getProtocolEra()).toBe("modern");
    await exercise(client, box);
    expect(hangar.running.stderr()).not.toContain("Mcp-Session-Id");
  }, 30_000);

  test("a v2 client in auto mode gets the 2026-07-28 era and does the same", async () => {
    using box = probeBox();
    await using hangar = await startHttpHangar(box);
    await using client = await httpClient(hangar, { versionNegotiation: { mode: "auto" } });
    expect(client.getProtocolEra()).toBe("modern");
    await exercise(client, box);
  }, 30_000);

  test("a 2025-06-18 client speaking raw JSON-RPC gets a session, lists tools, runs a batch with progress and cancels one", async () => {
    using box = probeBox();
    await using hangar = await startHttpHangar(box);
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const post = (body: object, session?: string) =>
      fetch(`${hangar.base}/mcp`, {
        method: "POST",
        headers: {
          ...headers,
          ...(session ? { "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" } : {}),
        },
        body: JSON.stringify(body),
      });
    const opened = await post(initializeRequest(1));
    const session = opened.headers.get("mcp-session-id")!;
    expect(session).toBeTruthy();
    expect((await messagesOf(opened))[0]?.result).toMatchObject({ protocolVersion: "2025-06-18" });
    expect((await post(INITIALIZED, session)).status).toBe(202);
    const [listed] = await messagesOf(await post({ jsonrpc: "2.0", id: 2, method: "tools/list" }, session));
    expect((listed!.result as { tools: { name: string }[] }).tools.map((t) => t.name)).toContain("hangar_call");

    const withToken = (request: object, token: string) => {
      const r = request as { params: Record<string, unknown> };
      return { ...r, params: { ...r.params, _meta: { progressToken: token } } };
    };
    const batch = await messagesOf(await post(withToken(hangarCallRequest(3, [ECHO, ECHO]), "p3"), session));
    expect(batch.filter((m) => m.method === "notifications/progress").length).toBe(2);
    expect(summaryOf(batch.find((m) => m.id === 3)?.result)).toEqual({ ok: true, total: 2, succeeded: 2 });

    const running = post(withToken(hangarCallRequest(4, [ECHO, WAIT]), "p4"), session);
    await waitFor(() => readLog(box).includes("waiting"), 15_000, "the wait");
    await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 4 } }, session);
    await waitFor(() => box.cancelled() === 1, 10_000, "the provider to see the cancellation");
    void running.then((response) => response.body?.cancel()).catch(() => {});
    const [again] = await messagesOf(await post(hangarCallRequest(5, [ECHO]), session));
    expect(summaryOf(again?.result)).toEqual({ ok: true, total: 1, succeeded: 1 });
  }, 30_000);

  test("error responses carry the request's id when it is readable, in either era", async () => {
    using box = probeBox();
    await using hangar = await startHttpHangar(box);
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${hangar.base}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify(body),
      });
    const sessionless = await post({ jsonrpc: "2.0", id: 7, method: "tools/list" });
    expect(sessionless.status).toBe(400);
    expect(await sessionless.json()).toMatchObject({ id: 7, error: { code: -32000 } });
    const unknownSession = await post({ jsonrpc: "2.0", id: "s", method: "tools/list" }, { "mcp-session-id": "nope" });
    expect(unknownSession.status).toBe(404);
    expect(await unknownSession.json()).toMatchObject({ id: "s", error: { code: -32001 } });
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientCapabilities": {},
    };
    const mismatched = await post(
      { jsonrpc: "2.0", id: 9, method: "tools/list", params: { _meta: meta } },
      { "mcp-protocol-version": "2026-07-28", "mcp-method": "prompts/list" },
    );
    expect(mismatched.status).toBe(400);
    expect(await mismatched.json()).toMatchObject({ id: 9, error: { code: -32020 } });
  }, 30_000);
});

const INSPECTOR = join(ROOT, "node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js");

describe("MCP Inspector CLI 2.12.0 against hangar serve in either era", () => {
  for (const era of ["modern", "legacy"] as const) {
    test(`--protocol-era ${era} lists hangar's tools and runs a hangar_call batch`, async () => {
      using box = sandbox();
      const inspector = async (args: string[]) => {
        const proc = Bun.spawn(["node", INSPECTOR, "--cli", hangarBinary(), "serve", "--protocol-era", era, ...args], {
          cwd: box.cwd,
          env: { ...box.env, MCP_CATALOG_PATH: join(box.root, "inspector.json") },
          stdout: "pipe",
          stderr: "pipe",
        });
        const run = await outputOf(proc);
        expect(run.code, run.stderr).toBe(0);
        return JSON.parse(run.stdout);
      };
      const listed = await inspector(["--method", "tools/list"]);
      expect((listed.tools as { name: string }[]).map((t) => t.name)).toContain("hangar_call");
      const batch = JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: `from ${era}` } }]);
      const called = await inspector([
        "--method",
        "tools/call",
        "--tool-name",
        "hangar_call",
        "--tool-arg",
        `calls=${batch}`,
      ]);
      expect(called.structuredContent).toMatchObject({ ok: true, total: 1, succeeded: 1 });
    }, 30_000);
  }
});
