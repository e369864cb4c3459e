// `hangar serve --http` over real HTTP: the compiled binary on port 0, driven by the SDK client's
// Streamable HTTP transport and by raw fetch, with the demo providers behind it; the session bookkeeping
// that needs no socket (404, 400, DELETE) in-process through `app.request()` (issue 16 item 11).
import { describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { argvOf, sandbox, waitForExit } from "./helpers/e2e.ts";
import { type HttpFront, httpFront } from "./helpers/http-front.ts";
import { initializeRaw, startHttpHangar } from "./helpers/http-serve.ts";
import { INITIALIZED, initializeRequest } from "./helpers/jsonrpc.ts";
import { waitFor } from "./helpers/processes.ts";
import { textOf } from "./helpers/serve.ts";

const TIMEOUT_MS = 20_000;
const LIST_TOOLS = { jsonrpc: "2.0", id: 2, method: "tools/list", params: {} };
const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-06-18",
};

/** Waits until the catalog (warmed up after the first session) lists `name`. */
async function waitForTool(client: Client, name: string): Promise<void> {
  await waitFor(
    async () => (await client.listTools()).tools.some((tool) => tool.name === name),
    10_000,
    `${name} to be listed`,
  );
}

describe("hangar serve --http: sessions", () => {
  test(
    "initialize answers with a random session id, and two clients get different ones",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const one = await hangar.connect();
      const two = await hangar.connect();
      expect(one.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(two.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(one.transport.sessionId).not.toBe(two.transport.sessionId);
      const { tools } = await one.client.listTools();
      expect(tools.map((t) => t.name)).toContain("hangar_call");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve --http: sessions, in-process", () => {
  test("a request naming an unknown session is answered 404", async () => {
    await using front = httpFront();
    const response = await front.fetch("/mcp", {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": crypto.randomUUID() },
      body: JSON.stringify(LIST_TOOLS),
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("Session not found");
  });

  test("a request without a session id that is not initialize is answered 400", async () => {
    await using front = httpFront();
    const response = await front.fetch("/mcp", {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify(LIST_TOOLS),
    });
    expect(response.status).toBe(400);
  });

  test("DELETE ends the session: its id is unknown afterwards", async () => {
    await using front = httpFront();
    const init = await front.fetch("/mcp", {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify(initializeRequest()),
    });
    const id = init.headers.get("mcp-session-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await init.body?.cancel();
    const listed = await front.fetch("/mcp", {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": id },
      body: JSON.stringify(LIST_TOOLS),
    });
    expect(listed.status).toBe(200);
    await listed.text();
    const deleted = await front.fetch("/mcp", { method: "DELETE", headers: { ...MCP_HEADERS, "mcp-session-id": id } });
    expect(deleted.status).toBe(200);
    const after = await front.fetch("/mcp", {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": id },
      body: JSON.stringify(LIST_TOOLS),
    });
    expect(after.status).toBe(404);
  });
});

/** Opens a raw session on `front` (initialize, then initialized); its id. */
async function openSession(front: HttpFront): Promise<string> {
  const init = await front.fetch("/mcp", {
    method: "POST",
    headers: MCP_HEADERS,
    body: JSON.stringify(initializeRequest()),
  });
  expect(init.status).toBe(200);
  await init.text();
  const id = init.headers.get("mcp-session-id")!;
  const initialized = await front.fetch("/mcp", {
    method: "POST",
    headers: { ...MCP_HEADERS, "mcp-session-id": id },
    body: JSON.stringify(INITIALIZED),
  });
  expect(initialized.status).toBe(202);
  return id;
}

/** The status of a POST of `body` in session `id`, its body read to the end. */
async function statusOf(front: HttpFront, id: string, body: object = LIST_TOOLS): Promise<number> {
  const response = await front.fetch("/mcp", {
    method: "POST",
    headers: { ...MCP_HEADERS, "mcp-session-id": id },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

describe("hangar serve --http: the session cap, in-process", () => {
  test("at the cap, an initialize ends the session idle longest: abandoned sessions lock no client out", async () => {
    await using front = httpFront(undefined, { maxSessions: 2 });
    const [a, b] = [await openSession(front), await openSession(front)];
    // A is used after B opened, so B is the one idle longest, though A is the older.
    expect(await statusOf(front, a)).toBe(200);
    const c = await openSession(front);
    expect(front.http.sessions.size).toBe(2);
    expect(await statusOf(front, b)).toBe(404);
    expect(await statusOf(front, a)).toBe(200);
    expect(await statusOf(front, c)).toBe(200);
  });

  test("a session with an open stream or a running call is never ended for room: all busy, initialize gets 503", async () => {
    await using front = httpFront(undefined, { maxSessions: 2 });
    const [a, b] = [await openSession(front), await openSession(front)];
    const stream = await front.fetch("/mcp", {
      method: "GET",
      headers: { ...MCP_HEADERS, accept: "text/event-stream", "mcp-session-id": a },
    });
    expect(stream.status).toBe(200);
    expect(await statusOf(front, b)).toBe(200);
    const call = front.fetch("/mcp", {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": b },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: { name: "demo__sleep", arguments: { ms: 1_500 } },
      }),
    });
    await Bun.sleep(300);
    const refused = await front.fetch("/mcp", {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify(initializeRequest()),
    });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      "Too many busy sessions",
    );
    expect(await (await call).text()).toContain("slept 1500 ms");
    // The call's session is idle again, the stream's is not: B makes room, A keeps its session.
    await openSession(front);
    expect(await statusOf(front, b)).toBe(404);
    expect(await statusOf(front, a)).toBe(200);
    await stream.body?.cancel();
  });
});

describe("hangar serve --http: sessions over real connections", () => {
  test(
    "hangar_call streams one progress notification per finished call over SSE, then its result",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const { client } = await hangar.connect();
      // Both providers warm first, so that the 300 ms sleep is the last call to finish even under load.
      await waitForTool(client, "demo__sleep");
      await waitForTool(client, "demo2__echo");
      const progress: Progress[] = [];
      const result = await client.callTool(
        {
          name: "hangar_call",
          arguments: {
            calls: [
              { provider: "demo", tool: "sleep", arguments: { ms: 300 }, id: "slow" },
              { provider: "demo2", tool: "echo", arguments: { message: "fast" }, id: "fast" },
              { provider: "demo", tool: "add", arguments: { a: 1, b: 2 }, id: "add" },
            ],
          },
        },
        CallToolResultSchema,
        { onprogress: (p) => void progress.push(p) },
      );
      expect(progress.map((p) => p.progress)).toEqual([1, 2, 3]);
      expect(progress.every((p) => p.total === 3)).toBe(true);
      expect(progress.at(-1)!.message).toBe("demo/sleep ok");
      expect(result.structuredContent).toMatchObject({ ok: true, total: 3, succeeded: 3 });
    },
    TIMEOUT_MS,
  );

  test(
    "Issue 18: a request that sends nothing before its answer gets it as JSON; one with progress streams SSE",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const init = await initializeRaw(hangar.base);
      const headers = { ...MCP_HEADERS, "mcp-session-id": init.headers.get("mcp-session-id")! };
      const post = (body: object) =>
        fetch(`${hangar.base}/mcp`, { method: "POST", headers, body: JSON.stringify(body) });
      expect((await post({ jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);

      const list = await post(LIST_TOOLS);
      expect(list.headers.get("content-type")).toStartWith("application/json");
      expect(list.headers.get("mcp-session-id")).toBe(headers["mcp-session-id"]);
      const listed = (await list.json()) as { id: number; result: { tools: { name: string }[] } };
      expect(listed.id).toBe(2);
      expect(listed.result.tools.map((tool) => tool.name)).toContain("hangar_call");

      const call = await post({
        jsonrpc: "2.0",
        id: 3,
        method: "tools/call",
        params: {
          name: "hangar_call",
          arguments: { calls: [{ provider: "demo", tool: "echo", arguments: { message: "x" } }] },
          _meta: { progressToken: "p" },
        },
      });
      expect(call.headers.get("content-type")).toStartWith("text/event-stream");
      const events = (await call.text()).split("\n").filter((line) => line.startsWith("data: "));
      const messages = events.map((line) => JSON.parse(line.slice(6)) as { method?: string; id?: number });
      expect(messages[0]!.method).toBe("notifications/progress");
      expect(messages.at(-1)!.id).toBe(3);
    },
    TIMEOUT_MS,
  );

  test(
    "a provider tool is callable directly as <provider>__<tool> over HTTP",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const { client } = await hangar.connect();
      await waitForTool(client, "demo2__echo");
      const result = await client.callTool({ name: "demo2__echo", arguments: { message: "direct" } });
      expect(textOf(result)).toBe("direct");
    },
    TIMEOUT_MS,
  );

  test("a call and a notification stream that stay quiet past the idle timeout are not cut off", async () => {
    using box = sandbox();
    await using hangar = await startHttpHangar(box, ["--idle-timeout", "1"]);
    // A raw session's standalone SSE stream (GET /mcp), which carries nothing while nothing changes. Bun
    // cuts an idle connection 1–5 s after its last byte with --idle-timeout 1 (its timer ticks every 4 s),
    // hence a 6 s call.
    const init = await initializeRaw(hangar.base);
    const id = init.headers.get("mcp-session-id")!;
    await init.body?.cancel();
    const headers = { ...MCP_HEADERS, "mcp-session-id": id };
    await fetch(`${hangar.base}/mcp`, {
      method: "POST",
      headers,
      body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
    });
    const stream = await fetch(`${hangar.base}/mcp`, {
      method: "GET",
      headers: { ...headers, accept: "text/event-stream" },
    });
    expect(stream.status).toBe(200);
    let streamEnded = false;
    void (async () => {
      for await (const _ of stream.body!);
    })()
      .catch(() => {})
      .finally(() => (streamEnded = true));

    const { client } = await hangar.connect();
    await waitForTool(client, "demo__sleep");
    const result = await client.callTool({ name: "demo__sleep", arguments: { ms: 6_000 } }, CallToolResultSchema, {
      timeout: 30_000,
    });
    expect(textOf(result)).toBe("slept 6000 ms");
    expect(streamEnded).toBe(false);
  }, 30_000);

  test(
    "SIGTERM cancels running calls, ends sessions and stops every provider; hangar exits 0",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const { client } = await hangar.connect();
      await waitForTool(client, "demo__sleep");
      const pending = client.callTool({ name: "demo__sleep", arguments: { ms: 60_000 } }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      let providers: number[] = [];
      await waitFor(
        () => {
          providers = hangar.running.children().filter((pid) => argvOf(pid).includes("demo-provider"));
          return providers.length >= 1;
        },
        10_000,
        "the demo provider to start",
      );
      hangar.running.proc.kill("SIGTERM");
      const run = await hangar.running.done;
      expect(run.code).toBe(0);
      expect(await waitForExit(providers)).toEqual([]);
      const outcome = await pending;
      const text = "result" in outcome ? textOf(outcome.result) : String(outcome.error);
      expect(text).not.toContain("slept");
    },
    TIMEOUT_MS,
  );
});
