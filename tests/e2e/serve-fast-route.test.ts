// Issues 11 and 18: `hangar serve` answers a 2025 client's plain `tools/call` of a provider tool on a fast
// route, without the SDK server (src/serve/fast-route.ts). Raw JSON-RPC lines into the compiled binary,
// every stdout line read back; `HANGAR_LOG_LEVEL=trace` makes each fast-routed call log one line, so a
// test sees which path answered. The answers must be the SDK path's, byte for byte in meaning, and every
// request the fast route does not plainly cover must still get the SDK path's answer.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { hangarBinary, killLeftovers, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { fastLines, fastRouteConfig, probeLog, providerEntry } from "../helpers/fast-route.ts";
import { INITIALIZED, initializeRequest } from "../helpers/jsonrpc.ts";
import { fixture } from "../helpers/paths.ts";
import { descendants, waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 30_000;

type Message = {
  jsonrpc: string;
  id?: string | number | null;
  method?: string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  params?: Record<string, unknown>;
};

/** The demo provider `demo`, the probe fixture `probe`, the JSON-RPC-error fixture `mrtr` and the tasks fixture `jobs`. */
function config(box: Sandbox): void {
  fastRouteConfig(
    box,
    `${providerEntry("mrtr", fixture("mrtr-server.ts"))}${providerEntry("jobs", fixture("tasks-server.ts"), {
      env: { TASKS_LOG: join(box.root, "tasks.log"), TASKS_STORE: box.root },
    })}`,
  );
}

/** `hangar serve` on pipes, logging at trace; its stdout as parsed lines, its stderr as text. */
function start(box: Sandbox) {
  const proc = Bun.spawn([hangarBinary(), "serve"], {
    cwd: box.cwd,
    env: { ...box.env, HANGAR_LOG_LEVEL: "trace" },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  let stderr = "";
  const pump = async (stream: ReadableStream<Uint8Array>, onText: (text: string) => void) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
  };
  let buffer = "";
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
  const messages = () => lines.map((line) => JSON.parse(line) as Message);
  const seen = new Set<number>();
  return {
    proc,
    messages,
    /**
     * How many calls the fast route answered so far: each logs one trace line before it runs, which may
     * reach stderr after the answer, so the tests wait for the count they expect, then check it exactly.
     */
    fast: () => fastLines(stderr),
    stderr: () => stderr,
    send(message: object) {
      proc.stdin.write(`${JSON.stringify(message)}\n`);
      proc.stdin.flush();
    },
    async reply(id: string | number): Promise<Message> {
      const answer = () => messages().find((m) => m.id === id && m.method === undefined);
      await waitFor(() => answer() !== undefined, 15_000, `the answer to request ${id}`);
      return answer()!;
    },
    /** `initialize` and its answer; `notifications/initialized` too unless `initialized` is false. */
    async initialize(initialized = true): Promise<void> {
      this.send(initializeRequest("init"));
      await this.reply("init");
      if (initialized) this.send(INITIALIZED);
    },
    /** Lists the tools until `names` are all there (the providers start with the first client). */
    async listed(names: readonly string[]): Promise<void> {
      let n = 0;
      await waitFor(
        async () => {
          const id = `list-${n++}`;
          this.send({ jsonrpc: "2.0", id, method: "tools/list", params: {} });
          const tools = ((await this.reply(id)).result?.tools ?? []) as { name: string }[];
          return names.every((name) => tools.some((tool) => tool.name === name));
        },
        20_000,
        `tools ${names.join(", ")} to be listed`,
      );
    },
    children() {
      for (const pid of descendants(proc.pid)) seen.add(pid);
      return [...seen];
    },
    async [Symbol.asyncDispose]() {
      this.children();
      if (proc.exitCode === null) proc.kill("SIGKILL");
      await reading.catch(() => {});
      killLeftovers(seen);
    },
  };
}

const call = (id: string | number, name: string, args?: object, meta?: object) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name, ...(args === undefined ? {} : { arguments: args }), ...(meta ? { _meta: meta } : {}) },
});

/** An answer without its id, to compare the two paths' answers to the same call. */
const withoutId = ({ id: _, ...rest }: Message) => rest;

describe("hangar serve's fast route for plain provider tool calls (issues 11, 18)", () => {
  test(
    "a plain call of a provider tool takes the fast route and gets the SDK path's answer, errors included",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = start(box);
      await hangar.initialize();
      await hangar.listed(["demo__echo", "demo__add", "demo__fail", "mrtr__test_missing_capability"]);
      const cases: [string, object][] = [
        ["demo__echo", { message: "hi" }],
        ["demo__add", { a: 2, b: 3 }],
        ["demo__fail", { message: "no" }],
        ["demo__echo", { message: 7 }],
        ["mrtr__test_missing_capability", {}],
      ];
      // A params key the fast route does not know sends the same call down the SDK path (which ignores it).
      for (const [i, [name, args]] of cases.entries()) {
        const sdk = call(`sdk-${i}`, name, args);
        hangar.send({ ...sdk, params: { ...sdk.params, unknownKey: true } });
      }
      const before = await Promise.all(cases.map((_, i) => hangar.reply(`sdk-${i}`)));
      expect(hangar.fast()).toBe(0);
      for (const [i, [name, args]] of cases.entries()) hangar.send(call(`fast-${i}`, name, args));
      const after = await Promise.all(cases.map((_, i) => hangar.reply(`fast-${i}`)));
      await waitFor(() => hangar.fast() >= cases.length, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(cases.length);
      expect(after.map(withoutId)).toEqual(before.map(withoutId));
      expect(after[0]!.result).toEqual({ content: [{ type: "text", text: "hi" }] });
      expect(after[1]!.result).toEqual({ content: [{ type: "text", text: "5" }], structuredContent: { sum: 5 } });
      expect(after[2]!.result).toEqual({ isError: true, content: [{ type: "text", text: "no" }] });
      expect(after[3]!.result?.isError).toBe(true);
      // The provider's own JSON-RPC error passes through as it came.
      expect(after[4]!.error).toMatchObject({ code: -32021, data: { requiredCapabilities: { sampling: {} } } });
    },
    TIMEOUT_MS,
  );

  test(
    "calls before initialized, Hangar's own tools, unknown names and unusual params take the SDK path with its answers",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = start(box);
      // Before notifications/initialized, even a plain call takes the SDK path.
      await hangar.initialize(false);
      hangar.send(call("early", "demo__echo", { message: "early" }));
      expect((await hangar.reply("early")).result).toEqual({ content: [{ type: "text", text: "early" }] });
      expect(hangar.fast()).toBe(0);
      hangar.send(INITIALIZED);
      await hangar.listed(["demo__echo"]);
      hangar.send(call("own", "hangar_status", {}));
      hangar.send(call("unknown", "demo__ecko", { message: "hi" }));
      hangar.send({ ...call("extra-param", "demo__echo", { message: "hi" }), params: { name: "demo__echo", x: 1 } });
      hangar.send(call("bad-args", "demo__echo", ["not", "an", "object"]));
      expect((await hangar.reply("own")).result?.structuredContent).toHaveProperty("providers");
      expect((await hangar.reply("unknown")).error).toEqual({
        code: -32602,
        message: 'Unknown tool "demo__ecko". Did you mean "demo__echo"?',
      });
      expect((await hangar.reply("extra-param")).result?.isError).toBe(true);
      expect((await hangar.reply("bad-args")).error?.code).toBe(-32602);
      expect(hangar.fast()).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "a 2025 client's call of a task-offering provider is fast-routed; a 2026 client's calls take the SDK path (input_required relayed)",
    async () => {
      using box = sandbox();
      config(box);
      {
        await using hangar = start(box);
        await hangar.initialize();
        await hangar.listed(["jobs__greet"]);
        hangar.send(call("greet", "jobs__greet", { name: "Ada" }));
        expect((await hangar.reply("greet")).result).toEqual({ content: [{ type: "text", text: "Hello, Ada!" }] });
        await waitFor(() => hangar.fast() >= 1, 5_000, "the fast route's trace lines");
        expect(hangar.fast()).toBe(1);
      }
      {
        await using hangar = start(box);
        const meta = {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
        };
        let answer: Message | undefined;
        let n = 0;
        await waitFor(
          async () => {
            const id = `modern-${n++}`;
            hangar.send(call(id, "mrtr__test_input_required_result_elicitation", {}, meta));
            answer = await hangar.reply(id);
            return answer.error === undefined;
          },
          20_000,
          "the provider's input request",
        );
        expect(answer!.result?.resultType).toBe("input_required");
        expect(typeof answer!.result?.requestState).toBe("string");
        hangar.send(call("modern-echo", "demo__echo", { message: "hi" }, meta));
        expect((await hangar.reply("modern-echo")).result?.resultType).toBe("complete");
        expect(hangar.fast()).toBe(0);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a fast-routed call forwards the provider's progress under the client's token before its answer",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = start(box);
      await hangar.initialize();
      await hangar.listed(["probe__progress"]);
      hangar.send(call("p", "probe__progress", { steps: 3 }, { progressToken: "tok" }));
      await hangar.reply("p");
      await waitFor(() => hangar.fast() >= 1, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(1);
      const order = hangar
        .messages()
        .filter((m) => m.id === "p" || m.method === "notifications/progress")
        .map((m) => (m.method ? `${m.params?.progressToken}:${m.params?.progress}` : "answer"));
      expect(order).toEqual(["tok:1", "tok:2", "tok:3", "answer"]);
    },
    TIMEOUT_MS,
  );

  test(
    "cancelling a fast-routed call cancels it at the provider and it gets no answer",
    async () => {
      using box = sandbox();
      config(box);
      await using hangar = start(box);
      await hangar.initialize();
      await hangar.listed(["probe__wait"]);
      hangar.send(call("w", "probe__wait", {}));
      await waitFor(() => probeLog(box).includes("waiting"), 10_000, "the provider to receive the call");
      hangar.send({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: "w", reason: "stop" } });
      await waitFor(() => probeLog(box).includes("cancelled"), 10_000, "the provider to see the cancellation");
      hangar.send(call("after", "demo__echo", { message: "next" }));
      await hangar.reply("after");
      await waitFor(() => hangar.fast() >= 2, 5_000, "the fast route's trace lines");
      expect(hangar.fast()).toBe(2);
      expect(hangar.messages().some((m) => m.id === "w")).toBe(false);
    },
    TIMEOUT_MS,
  );

  test(
    "at stdin's end a running fast-routed call is finished and answered; on SIGTERM it is answered as cancelled",
    async () => {
      using box = sandbox();
      config(box);
      {
        await using hangar = start(box);
        await hangar.initialize();
        await hangar.listed(["probe__wait"]);
        hangar.send(call("w", "probe__wait", { ms: 300 }));
        await waitFor(() => probeLog(box).includes("waiting"), 10_000, "the provider to receive the call");
        hangar.proc.stdin.end();
        expect(await hangar.proc.exited).toBe(0);
        expect((await hangar.reply("w")).result).toEqual({ content: [{ type: "text", text: "waited" }] });
        await waitFor(() => hangar.fast() >= 1, 5_000, "the fast route's trace lines");
        expect(hangar.fast()).toBe(1);
      }
      {
        await using hangar = start(box);
        await hangar.initialize();
        await hangar.listed(["probe__wait"]);
        hangar.send(call("w2", "probe__wait", {}));
        const waits = () =>
          probeLog(box)
            .split("\n")
            .filter((line) => line.startsWith("waiting")).length;
        await waitFor(() => waits() === 2, 10_000, "the provider to receive the call");
        hangar.proc.kill("SIGTERM");
        expect(await hangar.proc.exited).toBe(0);
        const answer = await hangar.reply("w2");
        expect(answer.result?.isError).toBe(true);
        expect(JSON.stringify(answer.result)).toContain("cancelled");
        await waitFor(() => hangar.fast() >= 1, 5_000, "the fast route's trace lines");
        expect(hangar.fast()).toBe(1);
      }
    },
    TIMEOUT_MS,
  );
});
