// Issues 11 and 18: `hangar serve --http` answers a 2025 session's POST of one plain `tools/call` of a
// provider tool on the fast route (src/serve/http/fast-session.ts), without the SDK transport and
// server, after every check that ran before (Host/Origin, token, body size, session id). Through the
// compiled binary with `HANGAR_LOG_LEVEL=trace`, which logs one line per fast-routed call.
import { describe, expect, test } from "bun:test";
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { type Sandbox, sandbox } from "./helpers/e2e.ts";
import { fastLines, fastRouteConfig, probeLog, providerEntry } from "./helpers/fast-route.ts";
import { type HttpHangar, initializeRaw, startHttpHangar } from "./helpers/http-serve.ts";
import { INITIALIZED } from "./helpers/jsonrpc.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { textOf } from "./helpers/serve.ts";

const TIMEOUT_MS = 30_000;
const TOKEN = "fast-route-token-0123456789";

/** The demo provider `demo`, the probe fixture `probe` and the conformance fixture `fx`. */
function config(box: Sandbox): void {
  fastRouteConfig(box, providerEntry("fx", fixture("conformance-server.ts")));
}

const fastCount = (hangar: HttpHangar) => fastLines(hangar.running.stderr());

/** A raw 2025 session: POSTs JSON-RPC bodies with its id and the headers an SDK client sends. */
async function rawSession(hangar: HttpHangar, extraHeaders: Record<string, string> = {}) {
  const opened = await initializeRaw(hangar.base, extraHeaders);
  const id = opened.headers.get("mcp-session-id")!;
  await opened.text();
  const headers = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-session-id": id,
    "mcp-protocol-version": "2025-06-18",
    ...extraHeaders,
  };
  const post = (body: object, more: Record<string, string> = {}) =>
    fetch(`${hangar.base}/mcp`, { method: "POST", headers: { ...headers, ...more }, body: JSON.stringify(body) });
  await (await post(INITIALIZED)).text();
  return { id, headers, post };
}

const call = (id: string | number, name: string, args: object, more: object = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, arguments: args, ...more },
});

/** Lists tools until `name` is there (the providers start with the first session). */
async function listed(post: (body: object) => Promise<Response>, name: string): Promise<void> {
  await waitFor(
    async () =>
      JSON.stringify(await (await post({ jsonrpc: "2.0", id: "l", method: "tools/list" })).text()).includes(name),
    20_000,
    `${name} to be listed`,
  );
}

describe("hangar serve --http: the fast route for plain provider tool calls (issues 11, 18)", () => {
  test(
    "a session's plain call is fast-routed and answered as JSON with the SDK path's answer byte for byte, errors included",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = await startHttpHangar(box, [], { HANGAR_LOG_LEVEL: "trace" });
      const { id, post } = await rawSession(hangar);
      await listed(post, "demo__echo");
      const cases: [string, object][] = [
        ["demo__echo", { message: "hi" }],
        ["demo__add", { a: 2, b: 3 }],
        ["demo__fail", {}],
        ["demo__echo", { message: 7 }],
      ];
      const answers = async (fast: boolean) =>
        Promise.all(
          cases.map(async ([name, args], i) => {
            // A params key the fast route does not know sends the same call down the SDK path.
            const response = await post(call(i, name, args, fast ? {} : { unknownKey: true }));
            return {
              type: response.headers.get("content-type"),
              session: response.headers.get("mcp-session-id"),
              // The text as sent: the same members in the same order as the SDK server writes them.
              text: await response.text(),
            };
          }),
        );
      const sdk = await answers(false);
      expect(fastCount(hangar)).toBe(0);
      const fast = await answers(true);
      await waitFor(() => fastCount(hangar) >= cases.length, 5_000, "the fast route's trace lines");
      expect(fastCount(hangar)).toBe(cases.length);
      expect(fast).toEqual(sdk);
      expect(fast[0]).toEqual({
        type: "application/json",
        session: id,
        text: JSON.stringify({ result: { content: [{ type: "text", text: "hi" }] }, jsonrpc: "2.0", id: 0 }),
      });
    },
    TIMEOUT_MS,
  );

  test(
    "a sealed session's plain call (--session-key-file) takes the fast route too, once per call",
    async () => {
      using box = sandbox();
      config(box);
      const key = box.write("session.key", `${"a sealing key of at least thirty-two bytes"}\n`);
      await using hangar = await startHttpHangar(box, ["--session-key-file", key], { HANGAR_LOG_LEVEL: "trace" });
      const { client } = await hangar.connect();
      await waitFor(
        async () => (await client.listTools()).tools.some((t) => t.name === "demo__echo"),
        20_000,
        "the tools",
      );
      expect(textOf(await client.callTool({ name: "demo__echo", arguments: { message: "sealed" } }))).toBe("sealed");
      expect(textOf(await client.callTool({ name: "demo__echo", arguments: { message: "again" } }))).toBe("again");
      await waitFor(() => fastCount(hangar) >= 2, 5_000, "the fast route's trace lines");
      expect(fastCount(hangar)).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "progress, a provider's log and its sampling request reach the caller on its call's stream",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = await startHttpHangar(box, [], { HANGAR_LOG_LEVEL: "trace" });
      const { client } = await hangar.connect({ capabilities: { sampling: {} } });
      const logs: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params.data));
      client.setRequestHandler(CreateMessageRequestSchema, async () => ({
        role: "assistant",
        model: "test",
        content: { type: "text", text: "sampled" },
      }));
      await waitFor(
        async () => (await client.listTools()).tools.some((t) => t.name === "fx__test_sampling"),
        20_000,
        "the tools",
      );
      const progress: number[] = [];
      const stepped = await client.callTool({ name: "probe__progress", arguments: { steps: 3 } }, undefined, {
        onprogress: (p) => void progress.push(p.progress),
      });
      expect(textOf(stepped)).toBeDefined();
      expect(progress).toEqual([1, 2, 3]);
      await client.callTool({ name: "fx__test_tool_with_logging", arguments: {} });
      expect(logs.length).toBeGreaterThan(0);
      const sampled = await client.callTool({ name: "fx__test_sampling", arguments: { prompt: "hi" } });
      expect(JSON.stringify(sampled)).toContain("sampled");
      await waitFor(() => fastCount(hangar) >= 3, 5_000, "the fast route's trace lines");
      expect(fastCount(hangar)).toBe(3);
    },
    TIMEOUT_MS,
  );

  test(
    "a POSTed cancellation of a fast-routed call cancels it at the provider",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = await startHttpHangar(box, [], { HANGAR_LOG_LEVEL: "trace" });
      const { post } = await rawSession(hangar);
      await listed(post, "probe__wait");
      const waiting = post(call("w", "probe__wait", {}));
      await waitFor(() => probeLog(box).includes("waiting"), 10_000, "the provider to receive the call");
      const cancel = await post({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "w" } });
      expect(cancel.status).toBe(202);
      await waitFor(() => probeLog(box).includes("cancelled"), 10_000, "the provider to see the cancellation");
      const ended = await waiting;
      expect(await ended.text()).not.toContain('"result"');
      await waitFor(() => fastCount(hangar) >= 1, 5_000, "the fast route's trace lines");
      expect(fastCount(hangar)).toBe(1);
    },
    TIMEOUT_MS,
  );

  test(
    "on SIGTERM a fast-routed call that ends within the drain period is answered; one still running after it is answered as cancelled",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = await startHttpHangar(box, ["--drain-s", "2"], { HANGAR_LOG_LEVEL: "trace" });
      const { post } = await rawSession(hangar);
      await listed(post, "probe__wait");
      const short = post(call("short", "probe__wait", { ms: 300 }));
      const stuck = post(call("stuck", "probe__wait", {}));
      const waits = () =>
        probeLog(box)
          .split("\n")
          .filter((line) => line.startsWith("waiting")).length;
      await waitFor(() => waits() === 2, 10_000, "the provider to receive both calls");
      hangar.running.proc.kill("SIGTERM");
      expect((await (await short).json()).result).toEqual({ content: [{ type: "text", text: "waited" }] });
      const cancelled = await (await stuck).json();
      expect(cancelled.result.isError).toBe(true);
      expect(JSON.stringify(cancelled.result)).toContain("cancelled");
      expect((await hangar.running.done).code).toBe(0);
      await waitFor(() => fastCount(hangar) >= 2, 5_000, "the fast route's trace lines");
      expect(fastCount(hangar)).toBe(2);
    },
    TIMEOUT_MS,
  );

  test(
    "Host, Origin, token, size and session checks still refuse fast-routable bodies; own tools and unknown names go to the SDK",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = await startHttpHangar(box, ["--token", TOKEN], { HANGAR_LOG_LEVEL: "trace" });
      const auth = { authorization: `Bearer ${TOKEN}` };
      const { headers, post } = await rawSession(hangar, auth);
      await listed(post, "demo__echo");
      const echo = call(1, "demo__echo", { message: "hi" });
      const send = (more: Record<string, string>, body: object | string = echo) =>
        fetch(`${hangar.base}/mcp`, {
          method: "POST",
          headers: { ...headers, ...more },
          body: typeof body === "string" ? body : JSON.stringify(body),
        });
      expect((await send({ host: "evil.example" })).status).toBe(403);
      expect((await send({ origin: "http://evil.example" })).status).toBe(403);
      expect((await send({ authorization: "Bearer wrong" })).status).toBe(401);
      expect((await send({ "mcp-session-id": "not-a-session" })).status).toBe(404);
      expect((await send({ accept: "application/json" })).status).toBe(406);
      expect((await send({ "mcp-protocol-version": "1999-01-01" })).status).toBe(400);
      const big = JSON.stringify(call(1, "demo__echo", { message: "x".repeat(5 * 1024 * 1024) }));
      expect((await send({}, big)).status).toBe(413);
      expect(fastCount(hangar)).toBe(0);

      const own = await (await post(call("own", "hangar_status", {}))).json();
      expect(own.result.structuredContent).toHaveProperty("providers");
      const unknown = await (await post(call("unknown", "demo__ecko", { message: "hi" }))).json();
      expect(unknown.error).toEqual({ code: -32602, message: 'Unknown tool "demo__ecko". Did you mean "demo__echo"?' });
      expect(fastCount(hangar)).toBe(0);
      expect((await (await post(echo)).json()).result).toEqual({ content: [{ type: "text", text: "hi" }] });
      await waitFor(() => fastCount(hangar) >= 1, 5_000, "the fast route's trace lines");
      expect(fastCount(hangar)).toBe(1);
    },
    TIMEOUT_MS,
  );
});
