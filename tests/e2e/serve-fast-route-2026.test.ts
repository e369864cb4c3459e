// Issues 11 and 18: the fast route of `hangar serve` answers a 2026-07-28 client's plain `tools/call` of a
// provider tool too (src/serve/fast-route.ts; over HTTP src/serve/http/fast-modern.ts), without the SDK
// server. Each call goes down both paths — a params key the fast route does not know (`x`) sends it to
// the SDK, which ignores the key — and the parsed answers must be equal; `HANGAR_LOG_LEVEL=trace` logs one
// line per fast-routed call, so the tests see which path answered.
import { describe, expect, test } from "bun:test";
import { hangarBinary, killLeftovers, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { fastLines, fastRouteConfig, probeLog, providerEntry } from "../helpers/fast-route.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { descendants, waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 40_000;
const ENVELOPE = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
  "io.modelcontextprotocol/clientCapabilities": {},
};

type Message = {
  id?: string | number;
  method?: string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  params?: Record<string, unknown>;
};

/** The demo provider `demo`, the probe fixture `probe` and the JSON-RPC-error fixture `mrtr`. */
function config(box: Sandbox): void {
  fastRouteConfig(box, providerEntry("mrtr", fixture("mrtr-server.ts")));
}

/** A 2026 `tools/call`; `sdk` adds a params key only the SDK path takes; `meta` replaces the envelope. */
function call(id: string, name: string, args: unknown, options: { sdk?: boolean; meta?: object | null } = {}) {
  const meta = options.meta === undefined ? ENVELOPE : options.meta;
  return {
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args, ...(meta === null ? {} : { _meta: meta }), ...(options.sdk ? { x: 1 } : {}) },
  };
}

/**
 * The calls both paths must answer alike: a result, structured content, isError, bad arguments, an
 * unknown tool, a provider's JSON-RPC error (two).
 */
const CASES: [string, object][] = [
  ["demo__echo", { message: "hi" }],
  ["demo__add", { a: 2, b: 3 }],
  ["demo__fail", { message: "no" }],
  ["demo__echo", { message: 7 }],
  ["demo__ecko", { message: "hi" }],
  ["mrtr__test_missing_capability", {}],
  // A provider that asks for input a client without capabilities cannot give: refused by the provider alike.
  ["mrtr__test_input_required_result_elicitation", {}],
];

const withoutId = ({ id: _, ...rest }: Message) => rest;

/** `hangar serve` on pipes at trace level, its stdout as parsed lines. */
function stdio(box: Sandbox) {
  const proc = Bun.spawn([hangarBinary(), "serve"], {
    cwd: box.cwd,
    env: { ...box.env, HANGAR_LOG_LEVEL: "trace" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  let stderr = "";
  let buffer = "";
  const pump = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  };
  const reading = Promise.all([
    pump(proc.stdout, (text) => {
      buffer += text;
      for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
        lines.push(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    }),
    pump(proc.stderr, (text) => {
      stderr += text;
    }),
  ]);
  const seen = new Set<number>();
  return {
    messages: () => lines.map((line) => JSON.parse(line) as Message),
    fast: () => fastLines(stderr),
    send(message: object) {
      proc.stdin.write(`${JSON.stringify(message)}\n`);
      proc.stdin.flush();
      for (const pid of descendants(proc.pid)) seen.add(pid);
    },
    async reply(id: string): Promise<Message> {
      const find = () => this.messages().find((m) => m.id === id && m.method === undefined);
      await waitFor(() => find() !== undefined, 15_000, `the answer to ${id}`);
      return find()!;
    },
    async [Symbol.asyncDispose]() {
      for (const pid of descendants(proc.pid)) seen.add(pid);
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await reading.catch(() => {});
      killLeftovers(seen);
    },
  };
}

/** Sends 2026 requests until `names` are all listed and callable (the providers start with the first request). */
async function ready(send: (message: object) => Promise<Message>, names: readonly string[]): Promise<void> {
  let n = 0;
  await waitFor(
    async () => {
      const answer = await send({
        jsonrpc: "2.0",
        id: `list-${n++}`,
        method: "tools/list",
        params: { _meta: ENVELOPE },
      });
      const tools = (answer.result?.tools ?? []) as { name: string }[];
      return names.every((name) => tools.some((tool) => tool.name === name));
    },
    20_000,
    `tools ${names.join(", ")} to be listed`,
  );
}

const NAMES = [
  "demo__echo",
  "demo__add",
  "demo__fail",
  "mrtr__test_missing_capability",
  "probe__progress",
  "probe__wait",
];

describe("the fast route for a 2026-07-28 client's plain tool calls (issues 11, 18)", () => {
  test(
    "over stdio a 2026 call gets the SDK path's answer on the fast route; a bad envelope still reaches the SDK",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = stdio(box);
      await ready(async (m) => {
        hangar.send(m);
        return hangar.reply((m as { id: string }).id);
      }, NAMES);
      for (const [i, [name, args]] of CASES.entries()) hangar.send(call(`sdk-${i}`, name, args, { sdk: true }));
      const before = await Promise.all(CASES.map((_, i) => hangar.reply(`sdk-${i}`)));
      expect(hangar.fast()).toBe(0);
      for (const [i, [name, args]] of CASES.entries()) hangar.send(call(`fast-${i}`, name, args));
      const after = await Promise.all(CASES.map((_, i) => hangar.reply(`fast-${i}`)));
      // Every listed tool's call took the fast route (the unknown name goes to the SDK either way).
      await waitFor(() => hangar.fast() >= CASES.length - 1, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(CASES.length - 1);
      expect(after.map(withoutId)).toEqual(before.map(withoutId));
      expect(after[0]!.result).toEqual({
        content: [{ type: "text", text: "hi" }],
        resultType: "complete",
        _meta: { "io.modelcontextprotocol/serverInfo": expect.objectContaining({ name: "hangar" }) },
      });
      expect(after[1]!.result?.structuredContent).toEqual({ sum: 5 });
      expect(after[2]!.result?.isError).toBe(true);
      expect(after[3]!.result?.isError).toBe(true);
      expect(after[4]!.error?.code).toBe(-32602);
      expect(after[5]!.error).toMatchObject({ code: -32021 });
      expect(after[6]!.error).toMatchObject({ code: -32021 });

      // A missing or malformed envelope, a capability that could need input, a round field: the SDK's.
      const capabilities = { ...ENVELOPE, "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } };
      hangar.send(call("no-meta", "demo__echo", { message: "x" }, { meta: null }));
      hangar.send(
        call(
          "bad-meta",
          "demo__echo",
          { message: "x" },
          { meta: { ...ENVELOPE, "io.modelcontextprotocol/clientCapabilities": 5 } },
        ),
      );
      hangar.send(call("caps", "demo__echo", { message: "x" }, { meta: capabilities }));
      hangar.send({
        ...call("round", "demo__echo", { message: "x" }),
        params: { ...call("r", "demo__echo", { message: "x" }).params, requestState: "forged" },
      });
      expect((await hangar.reply("no-meta")).error?.code).toBe(-32602);
      expect((await hangar.reply("bad-meta")).error?.message).toContain("Invalid _meta envelope");
      expect((await hangar.reply("caps")).result?.resultType).toBe("complete");
      expect((await hangar.reply("round")).error).toBeDefined();
      await waitFor(() => hangar.fast() >= CASES.length - 1, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(CASES.length - 1);

      // Progress under the client's token before the answer, on both paths alike.
      const progress = (id: string) =>
        hangar
          .messages()
          .filter((m) => m.id === id || (m.method === "notifications/progress" && m.params?.progressToken === id))
          .map((m) => (m.method ? `p${m.params?.progress}` : "answer"));
      hangar.send(
        call(
          "tok-sdk",
          "probe__progress",
          { steps: 3 },
          { sdk: true, meta: { ...ENVELOPE, progressToken: "tok-sdk" } },
        ),
      );
      const sdkProgress = withoutId(await hangar.reply("tok-sdk"));
      hangar.send(
        call("tok-fast", "probe__progress", { steps: 3 }, { meta: { ...ENVELOPE, progressToken: "tok-fast" } }),
      );
      expect(withoutId(await hangar.reply("tok-fast"))).toEqual(sdkProgress);
      expect(progress("tok-fast")).toEqual(["p1", "p2", "p3", "answer"]);
      expect(progress("tok-sdk")).toEqual(progress("tok-fast"));
      await waitFor(() => hangar.fast() >= CASES.length, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(CASES.length);

      // Cancellation reaches the provider and the call gets no answer.
      hangar.send(call("w", "probe__wait", {}));
      await waitFor(() => probeLog(box).includes("waiting"), 10_000, "the provider to receive the call");
      hangar.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "w", reason: "stop" } });
      await waitFor(() => probeLog(box).includes("cancelled"), 10_000, "the provider to see the cancellation");
      hangar.send(call("after", "demo__echo", { message: "next" }));
      await hangar.reply("after");
      expect(hangar.messages().some((m) => m.id === "w")).toBe(false);
      await waitFor(() => hangar.fast() >= CASES.length + 2, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(CASES.length + 2);
    },
    TIMEOUT_MS,
  );

  test(
    "over HTTP a sessionless 2026 POST gets the SDK path's status, headers and answer on the fast route",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = await startHttpHangar(box, [], { HANGAR_LOG_LEVEL: "trace" });
      const post = async (
        message: ReturnType<typeof call>,
        headers: Record<string, string> = {},
        signal?: AbortSignal,
      ) => {
        const response = await fetch(`${hangar.base}/mcp`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2026-07-28",
            "mcp-method": message.method,
            "mcp-name": message.params.name,
            ...headers,
          },
          body: JSON.stringify(message),
          ...(signal ? { signal } : {}),
        });
        const text = await response.text();
        const data = text.includes("data:")
          ? text
              .split("\n")
              .filter((line) => line.startsWith("data:"))
              .map((line) => JSON.parse(line.slice(5)) as Message)
          : [JSON.parse(text) as Message];
        const { date: _, ...sent } = Object.fromEntries(response.headers);
        return {
          status: response.status,
          type: response.headers.get("content-type"),
          answer: data.at(-1)!,
          data,
          sent,
        };
      };
      const fast = () => fastLines(hangar.running.stderr());
      await ready(
        async (m) => (await post(m as ReturnType<typeof call>, { "mcp-method": "tools/list" })).answer,
        NAMES,
      );
      const shape = async (message: ReturnType<typeof call>) => {
        const { status, sent, answer } = await post(message);
        return { status, sent, answer: withoutId(answer) };
      };
      const before = [];
      for (const [i, [name, args]] of CASES.entries())
        before.push(await shape(call(`sdk-${i}`, name, args, { sdk: true })));
      expect(fast()).toBe(0);
      const after = [];
      // Same-length ids, so that even the Content-Length headers must agree.
      for (const [i, [name, args]] of CASES.entries()) after.push(await shape(call(`fst-${i}`, name, args)));
      await waitFor(() => fast() >= CASES.length - 1, 5_000, "the fast route's trace lines");
      expect(fast()).toBe(CASES.length - 1);
      expect(after).toEqual(before);
      expect(after[0]!.answer.result?.resultType).toBe("complete");
      expect(after[5]!.status).toBe(400);

      // A mismatched Mcp-Name or a malformed envelope is refused by the SDK as before.
      const mismatch = await post(call("m", "demo__echo", { message: "x" }), { "mcp-name": "other" });
      expect(mismatch.status).toBe(400);
      expect(mismatch.answer.error?.code).toBe(-32020);
      const bad = await post(
        call(
          "b",
          "demo__echo",
          { message: "x" },
          { meta: { ...ENVELOPE, "io.modelcontextprotocol/clientCapabilities": 5 } },
        ),
      );
      expect(bad.status).toBe(400);
      expect(bad.answer.error?.message).toContain("Invalid _meta envelope");
      await waitFor(() => fast() >= CASES.length - 1, 5_000, "the fast route's trace lines");
      expect(fast()).toBe(CASES.length - 1);

      // Progress: an event stream with the notifications, then the answer, on both paths alike.
      const sdkProgress = await post(
        call("p1", "probe__progress", { steps: 3 }, { sdk: true, meta: { ...ENVELOPE, progressToken: "t" } }),
      );
      const fastProgress = await post(
        call("p2", "probe__progress", { steps: 3 }, { meta: { ...ENVELOPE, progressToken: "t" } }),
      );
      await waitFor(() => fast() >= CASES.length, 5_000, "the fast route's trace lines");
      expect(fast()).toBe(CASES.length);
      expect(fastProgress.type).toBe(sdkProgress.type);
      expect(fastProgress.sent).toEqual(sdkProgress.sent);
      expect(fastProgress.status).toBe(sdkProgress.status);
      expect(fastProgress.data.map(withoutId)).toEqual(sdkProgress.data.map(withoutId));

      // Closing the stream cancels the call at the provider.
      const abort = new AbortController();
      const waiting = post(call("w", "probe__wait", {}), {}, abort.signal).catch(() => undefined);
      await waitFor(() => probeLog(box).includes("waiting"), 10_000, "the provider to receive the call");
      abort.abort();
      await waiting;
      await waitFor(() => probeLog(box).includes("cancelled"), 10_000, "the provider to see the cancellation");
      await waitFor(() => fast() >= CASES.length + 1, 5_000, "the fast route's trace lines");
      expect(fast()).toBe(CASES.length + 1);
    },
    TIMEOUT_MS,
  );
});
