// `hangar serve` on the wire: raw JSON-RPC lines into the compiled binary's stdin, every line of its
// stdout read back. Bad input gets JSON-RPC errors and the server keeps serving; stdin's end and signals
// shut it down without cutting an answer short or leaving a process behind.
import { describe, expect, test } from "bun:test";
import { demoProvidersYaml, hangarBinary, killLeftovers, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { INITIALIZED, initializeRequest } from "../helpers/jsonrpc.ts";
import { descendants, isAlive, waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 30_000;
type Message = {
  jsonrpc: string;
  id?: string | number | null;
  method?: string;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
  params?: Record<string, unknown>;
};

/** `hangar serve` with a pipe on stdin, and its stdout split into parsed lines. */
function start(box: Sandbox) {
  const proc = Bun.spawn([hangarBinary(), "serve"], {
    cwd: box.cwd,
    env: box.env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const reading = (async () => {
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of proc.stdout) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
        lines.push(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    }
  })();
  const messages = () => lines.map((line) => JSON.parse(line) as Message);
  const seen = new Set<number>();
  return {
    proc,
    lines,
    messages,
    send(message: object | string) {
      proc.stdin.write(typeof message === "string" ? message : `${JSON.stringify(message)}\n`);
      proc.stdin.flush();
    },
    async reply(id: string | number | null): Promise<Message> {
      await waitFor(
        () => messages().some((m) => m.id === id && m.method === undefined),
        15_000,
        `the answer to request ${id}`,
      );
      return messages().find((m) => m.id === id && m.method === undefined)!;
    },
    /** Sends `initialize`, waits for its answer (returned), then sends `notifications/initialized`. */
    async initialize(): Promise<Message> {
      this.send(initialize);
      const answer = await this.reply("init");
      this.send(initialized);
      return answer;
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

const initialize = initializeRequest("init");
const initialized = INITIALIZED;
const call = (id: number | string, args: object, meta?: object) => ({
  jsonrpc: "2.0",
  id,
  method: "tools/call",
  params: { name: "hangar_call", arguments: args, ...(meta ? { _meta: meta } : {}) },
});

describe("hangar serve answers bad JSON-RPC and keeps serving", () => {
  test(
    "garbage, a batch, wrong types, unknown methods, bad params and a 70 MB line each get an error",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using server = start(box);
      expect((await server.initialize()).result?.serverInfo).toMatchObject({ name: "hangar" });

      server.send("this is not json\n");
      server.send(`${JSON.stringify([{ jsonrpc: "2.0", id: 5, method: "ping" }])}\n`);
      server.send({ jsonrpc: "2.0", id: 6, method: 42 });
      server.send({ jsonrpc: "2.0", id: 7, method: "no/such/method" });
      server.send({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: 5 } });
      server.send(`{"jsonrpc":"2.0","id":9,"method":"ping","params":{"pad":"${"x".repeat(70 * 1024 * 1024)}"}}\n`);
      server.send({ jsonrpc: "2.0", id: 10, method: "tools/list" });

      const listed = await server.reply(10);
      expect((listed.result!.tools as { name: string }[]).map((t) => t.name)).toContain("hangar_call");
      const errors = server.messages().filter((m) => m.error);
      const codes = (id: string | number | null) => errors.filter((m) => m.id === id).map((m) => m.error!.code);
      expect(codes(null)).toEqual([-32700, -32600, -32600]);
      expect(errors.find((m) => m.id === null && /too large/.test(m.error!.message))).toBeDefined();
      expect(codes(6)).toEqual([-32600]);
      expect(codes(7)).toEqual([-32601]);
      expect(codes(8)).toEqual([-32602]);
      // Everything on stdout is JSON-RPC 2.0, and nothing else.
      expect(server.messages().every((m) => m.jsonrpc === "2.0")).toBe(true);
      expect(server.proc.exitCode).toBeNull();
    },
    TIMEOUT_MS,
  );

  test(
    "an id no JSON number holds exactly (past 2^53) gets Invalid Request, and stdin's end still ends the server",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using server = start(box);
      await server.initialize();
      // The SDK drops such a request unanswered; before the check, it counted as running for ever.
      server.send('{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}\n');
      server.send('{"jsonrpc":"2.0","id":1e21,"method":"ping"}\n');
      server.send({ jsonrpc: "2.0", id: 2, method: "ping" });
      await server.reply(2);
      const refused = server.messages().filter((m) => m.error?.code === -32600);
      expect(refused.map((m) => [m.id, m.error!.message])).toEqual([
        [null, "Invalid Request: id must be a string or an integer of at most 2^53 − 1"],
        [null, "Invalid Request: id must be a string or an integer of at most 2^53 − 1"],
      ]);
      server.proc.stdin.end();
      expect(await server.proc.exited).toBe(0);
    },
    TIMEOUT_MS,
  );

  test(
    "with a progress token, one progress notification per call is written before the batch's answer",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using server = start(box);
      await server.initialize();
      const calls = [1, 2, 3, 4].map((n) => ({ provider: "demo", tool: "echo", arguments: { message: `m${n}` } }));
      server.send(call(1, { calls }, { progressToken: "tok" }));
      await server.reply(1);
      const order = server.messages().filter((m) => m.id === 1 || m.params?.progressToken === "tok");
      expect(order.map((m) => (m.method ? m.params!.progress : "answer"))).toEqual([1, 2, 3, 4, "answer"]);
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve on a first start, with no cached catalog", () => {
  test(
    "a provider tool called by name before any tools/list is found and answered",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using server = start(box);
      await server.initialize();
      server.send({
        jsonrpc: "2.0",
        id: 1,
        method: "tools/call",
        params: { name: "demo__echo", arguments: { message: "early" } },
      });
      const answer = await server.reply(1);
      expect(answer.error).toBeUndefined();
      expect(answer.result?.content).toEqual([{ type: "text", text: "early" }]);
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve shuts down cleanly", () => {
  test(
    "at stdin's end, the running batch is finished and answered, then hangar exits 0 and its providers are gone",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using server = start(box);
      await server.initialize();
      server.send(call(1, { calls: [{ provider: "demo", tool: "sleep", arguments: { ms: 300 } }] }));
      await waitFor(() => server.children().length > 0, 10_000, "the provider to start");
      server.proc.stdin.end();
      expect(await server.proc.exited).toBe(0);
      const answer = await server.reply(1);
      expect(answer.result?.structuredContent).toMatchObject({ ok: true, succeeded: 1 });
      await waitFor(() => server.children().every((pid) => !isAlive(pid)), 10_000, "the provider to exit");
    },
    TIMEOUT_MS,
  );

  test(
    "SIGTERM cancels the running batch, answers it as cancelled, exits 0 and leaves no process",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using server = start(box);
      await server.initialize();
      server.send(call(1, { calls: [{ provider: "demo", tool: "sleep", arguments: { ms: 60_000 } }] }));
      await waitFor(() => server.children().length > 0, 10_000, "the provider to start");
      server.proc.kill("SIGTERM");
      expect(await server.proc.exited).toBe(0);
      const answer = await server.reply(1);
      const results = (answer.result!.structuredContent as { results: { error?: { type: string } }[] }).results;
      expect(results[0]!.error?.type).toBe("cancelled");
      await waitFor(() => server.children().every((pid) => !isAlive(pid)), 10_000, "the provider to exit");
    },
    TIMEOUT_MS,
  );
});
