// `hangar serve --shared` end to end: SDK clients on the compiled binary's stdio bridge, one shared
// daemon per user and config behind them, the shared-server fixture as providers (it logs its starts
// and the cancellations it sees).
import { describe, expect, test } from "bun:test";
import { chmodSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  type CallToolResult,
  CreateMessageRequestSchema,
  ListRootsRequestSchema,
  type Progress,
} from "@modelcontextprotocol/sdk/types.js";
import { runHangar } from "./helpers/e2e.ts";
import { BUN, fixture } from "./helpers/paths.ts";
import { isAlive, outputOf, waitFor } from "./helpers/processes.ts";
import type { ServeSession } from "./helpers/serve.ts";
import { textOf } from "./helpers/serve.ts";
import { sharedBox } from "./helpers/shared.ts";

const TIMEOUT_MS = 60_000;

/** Calls `<provider>__work` with `tag`, collecting the progress messages it gets. */
function work(session: ServeSession, provider: string, tag: string, ms: number, signal?: AbortSignal) {
  const progress: string[] = [];
  const result = session.client.callTool({ name: `${provider}__work`, arguments: { tag, ms } }, undefined, {
    onprogress: (p: Progress) => void progress.push(p.message ?? ""),
    timeout: 120_000,
    ...(signal ? { signal } : {}),
  }) as Promise<CallToolResult>;
  return { result, progress };
}

describe("hangar serve --shared", () => {
  test(
    "five clients call the same three providers at once: one daemon, each provider started once, every client its own answers and progress",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1", "p2", "p3"]);
      const clients = await Promise.all([0, 1, 2, 3, 4].map(() => shared.client()));
      try {
        const calls = clients.flatMap((client, i) =>
          ["p1", "p2", "p3"].map((provider) => ({ provider, tag: `c${i}`, ...work(client, provider, `c${i}`, 300) })),
        );
        const results = await Promise.all(calls.map((call) => call.result));
        results.forEach((result, n) => {
          const call = calls[n]!;
          expect(textOf(result)).toBe(`${call.provider}:${call.tag}`);
          expect(call.progress).toEqual([`${call.provider}:${call.tag}`]);
        });
        const starts = shared.events().filter((line) => line.startsWith("start "));
        expect(starts.map((line) => line.split(" ")[1]).sort()).toEqual(["p1", "p2", "p3"]);
        const daemons = await shared.status();
        expect(daemons).toHaveLength(1);
        expect(daemons[0]!.clients).toHaveLength(5);
        expect(daemons[0]!.clients.map((c) => c.pid).sort()).toEqual(clients.map((c) => c.pid).sort());
      } finally {
        await Promise.all(clients.map((client) => client[Symbol.asyncDispose]()));
      }
    },
    TIMEOUT_MS,
  );

  test(
    "issues 11, 18: a client's plain provider call takes the daemon's fast route, progress and all",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      await using a = await shared.client(["--log-level", "trace"]);
      // Before the provider is listed, a call by name takes the SDK path (which lists it first).
      expect(textOf(await work(a, "p1", "first", 0).result)).toBe("p1:first");
      const call = work(a, "p1", "fast", 0);
      expect(textOf(await call.result)).toBe("p1:fast");
      expect(call.progress).toEqual(["p1:fast"]);
      // The daemon's trace line for the call may reach its log after the answer.
      const daemonLog = () =>
        readdirSync(shared.runDir)
          .filter((name) => name.endsWith(".log"))
          .map((name) => readFileSync(join(shared.runDir, name), "utf8"))
          .join("\n");
      await waitFor(
        () => daemonLog().includes("fast route: answering without the SDK server"),
        5_000,
        "the trace line",
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a cancellation reaches only its own call, and a client leaving does not disturb the others",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      await using a = await shared.client();
      await using b = await shared.client();
      const c = await shared.client();
      const abort = new AbortController();
      const ofA = work(a, "p1", "a", 3000, abort.signal);
      const ofB = work(b, "p1", "b", 1500);
      const ofC = work(c, "p1", "c", 3000);
      await waitFor(() => ofA.progress.length > 0 && ofC.progress.length > 0, 20_000, "the calls to run");
      abort.abort();
      await expect(ofA.result).rejects.toThrow();
      await c[Symbol.asyncDispose]();
      expect(textOf(await ofB.result)).toBe("p1:b");
      await waitFor(() => shared.events().includes("cancelled a"), 10_000, "the provider to see a's cancellation");
      const cancelled = shared.events().filter((line) => line.startsWith("cancelled "));
      expect(cancelled).not.toContain("cancelled b");
      expect(textOf(await work(b, "p1", "again", 0).result)).toBe("p1:again");
      const [daemon] = await shared.status();
      expect(daemon!.clients.map((client) => client.pid).sort()).toEqual([a.pid, b.pid].sort());
    },
    TIMEOUT_MS,
  );

  test(
    "the daemon killed with SIGKILL mid-call: running calls fail with transport_error, the next call works through a new daemon, nothing is left running",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1", "p2"]);
      await using a = await shared.client();
      await using b = await shared.client();
      const ofA = work(a, "p1", "a", 60_000);
      const ofB = work(b, "p2", "b", 60_000);
      await waitFor(() => ofA.progress.length > 0 && ofB.progress.length > 0, 20_000, "the calls to run");
      const [old] = await shared.status();
      const oldProviders = old!.providers.flatMap((p) => (p.pid === undefined ? [] : [p.pid]));
      expect(oldProviders).toHaveLength(2);
      process.kill(old!.pid, "SIGKILL");
      for (const result of [await ofA.result, await ofB.result]) {
        expect(result.isError).toBe(true);
        expect(textOf(result)).toStartWith("transport_error: the shared Hangar daemon went away");
      }
      expect(textOf(await work(a, "p1", "after", 0).result)).toBe("p1:after");
      expect(textOf(await work(b, "p2", "after", 0).result)).toBe("p2:after");
      const [now] = await shared.status();
      expect(now!.pid).not.toBe(old!.pid);
      await waitFor(
        () => !isAlive(old!.pid) && oldProviders.every((pid) => !isAlive(pid)),
        10_000,
        "the old daemon's providers to exit",
      );
    },
    TIMEOUT_MS,
  );

  test(
    "the socket is 0600 in a 0700 directory, and another user cannot attach",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      await using a = await shared.client();
      expect(textOf(await work(a, "p1", "x", 0).result)).toBe("p1:x");
      const [daemon] = await shared.status();
      expect(statSync(shared.runDir).mode & 0o777).toBe(0o700);
      expect(statSync(daemon!.socket).mode & 0o777).toBe(0o600);
      const script = `require("node:net").connect(${JSON.stringify(daemon!.socket)}).on("connect", () => { console.log("connected"); process.exit(0); }).on("error", (e) => { console.log(e.code); process.exit(3); })`;
      const proc = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BUN, "-e", script], {
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: process.env.PATH ?? "", HOME: "/tmp" },
      });
      const { stdout, code } = await outputOf(proc);
      expect(stdout.trim()).toBe("EACCES");
      expect(code).toBe(3);
      expect((await shared.status())[0]!.clients).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "Issue 12: a process of another user is refused by its peer credentials even where the permissions let it connect",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      await using a = await shared.client();
      expect(textOf(await work(a, "p1", "x", 0).result)).toBe("p1:x");
      const [daemon] = await shared.status();
      // As if the folders and the socket had been opened up by mistake (a umask, a copied directory).
      for (let dir = shared.runDir; dir.startsWith(shared.box.root); dir = dirname(dir)) chmodSync(dir, 0o711);
      chmodSync(daemon!.socket, 0o666);
      const hello = '{"hangar":{"op":"attach","pid":1}}\n';
      const initialize = `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } })}\n`;
      const script = `const s = require("node:net").connect(${JSON.stringify(daemon!.socket)}); let got = "", connected = false, error;
        s.on("connect", () => { connected = true; s.write(${JSON.stringify(hello + initialize)}); });
        s.on("data", (d) => (got += d));
        s.on("error", (e) => (error = e.code)); // refused: closed, or reset when the hello was still unread
        s.on("close", () => { console.log(JSON.stringify({ connected, got, error })); process.exit(0); });
        setTimeout(() => { console.log(JSON.stringify({ connected, got, open: true })); process.exit(4); }, 10000);`;
      const proc = Bun.spawn(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", BUN, "-e", script], {
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: process.env.PATH ?? "", HOME: "/tmp" },
      });
      const { stdout } = await outputOf(proc);
      // It got through the permissions (the daemon saw it) and was closed without an answer.
      const seen = JSON.parse(stdout.trim()) as { got: string; error?: string };
      expect(seen.got).toBe("");
      expect(seen.error === undefined || seen.error === "ECONNRESET" || seen.error === "EPIPE").toBe(true);
      const log = join(shared.runDir, `${daemon!.key}.log`);
      await waitFor(() => readFileSync(log, "utf8").includes("refused a connection from another user"));
      expect((await shared.status())[0]!.clients).toHaveLength(1);
      expect(textOf(await work(a, "p1", "y", 0).result)).toBe("p1:y");
    },
    TIMEOUT_MS,
  );

  test(
    "an edited config file is reloaded in place: an attached client sees the new provider and a new client attaches to the same daemon",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      await using a = await shared.client();
      expect(textOf(await work(a, "p1", "before", 0).result)).toBe("p1:before");
      const [daemon] = await shared.status();
      shared.config(["p1", "p2"]);
      await waitFor(
        async () => (await a.client.listTools()).tools.some((tool) => tool.name === "p2__work"),
        20_000,
        "the attached client to see the added provider",
      );
      expect(textOf(await work(a, "p2", "after", 0).result)).toBe("p2:after");
      await using b = await shared.client();
      expect(textOf(await work(b, "p2", "new", 0).result)).toBe("p2:new");
      const daemons = await shared.status();
      expect(daemons.map((d) => d.pid)).toEqual([daemon!.pid]);
      expect(daemons[0]!.clients).toHaveLength(2);
      expect(daemons[0]!.draining).toBeNull();
      // p1 kept running through the reload: one start each.
      const starts = shared.events().filter((line) => line.startsWith("start "));
      expect(starts.map((line) => line.split(" ")[1]).sort()).toEqual(["p1", "p2"]);
    },
    TIMEOUT_MS,
  );

  test(
    "a config file that now uses other variables: new clients get a new daemon, the old one serves its clients and exits once they left",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      const a = await shared.client();
      expect(textOf(await work(a, "p1", "old", 0).result)).toBe("p1:old");
      const [old] = await shared.status();
      shared.config(["p1"], "# ${HANGAR_SHARED_TEST:-unset}\n");
      await using b = await shared.client();
      expect(textOf(await work(b, "p1", "new", 0).result)).toBe("p1:new");
      await waitFor(
        async () => (await shared.status()).some((d) => d.draining !== null),
        10_000,
        "the old daemon to drain",
      );
      const daemons = await shared.status();
      expect(daemons).toHaveLength(2);
      expect(daemons.find((d) => d.pid === old!.pid)!.draining).toContain("variables");
      expect(textOf(await work(a, "p1", "still", 0).result)).toBe("p1:still");
      await a[Symbol.asyncDispose]();
      await waitFor(() => !isAlive(old!.pid), 10_000, "the drained daemon to exit");
      expect((await shared.status()).map((d) => d.pid)).not.toContain(old!.pid);
    },
    TIMEOUT_MS,
  );

  test(
    "the daemon exits daemon_idle_s after its last client left; `shared: true` makes plain `hangar serve` a client and --no-shared opts out",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"], "shared: true\ndaemon_idle_s: 1\n");
      const alone = await shared.client(["--no-shared"]);
      expect(textOf(await work(alone, "p1", "own", 0).result)).toBe("p1:own");
      expect(await shared.status()).toHaveLength(0);
      await alone[Symbol.asyncDispose]();
      const { serve } = await import("./helpers/serve.ts");
      const a = await serve(shared.box, { env: shared.env });
      expect(textOf(await work(a, "p1", "shared", 0).result)).toBe("p1:shared");
      const [daemon] = await shared.status();
      expect(daemon!.clients).toHaveLength(1);
      await a[Symbol.asyncDispose]();
      await waitFor(() => !isAlive(daemon!.pid), 10_000, "the idle daemon to exit");
      expect(await shared.status()).toHaveLength(0);
    },
    TIMEOUT_MS,
  );

  test(
    "`hangar stop` stops the daemon and its providers; an attached client's next call starts a new one",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      await using a = await shared.client();
      expect(textOf(await work(a, "p1", "one", 0).result)).toBe("p1:one");
      const [daemon] = await shared.status();
      const provider = daemon!.providers[0]!.pid!;
      const stopped = await runHangar(["stop"], { env: shared.env, cwd: shared.box.cwd });
      expect(stopped.code).toBe(0);
      expect(stopped.stdout).toContain(`Stopped the shared daemon ${daemon!.pid}`);
      expect(isAlive(daemon!.pid)).toBe(false);
      await waitFor(() => !isAlive(provider), 10_000, "the provider to exit");
      expect(textOf(await work(a, "p1", "two", 0).result)).toBe("p1:two");
      expect((await shared.status())[0]!.pid).not.toBe(daemon!.pid);
    },
    TIMEOUT_MS,
  );

  test(
    "a per_client provider runs one instance per client and gets that client's roots; the others stay shared",
    async () => {
      await using shared = sharedBox();
      shared.config(["common", "mine"], "", ["mine"]);
      const clients = await Promise.all(
        [0, 1, 2].map((i) =>
          shared.client([], {
            capabilities: { roots: {} },
            setup: (client) =>
              client.setRequestHandler(ListRootsRequestSchema, async () => ({
                roots: [{ uri: `file:///client${i}` }],
              })),
          }),
        ),
      );
      try {
        const answers = await Promise.all(
          clients.map(async (client, i) => ({
            common: textOf(await work(client, "common", `c${i}`, 0).result),
            mine: textOf(await work(client, "mine", `c${i}`, 0).result),
            roots: textOf(await client.client.callTool({ name: "mine__roots", arguments: {} })),
          })),
        );
        expect(answers).toEqual(
          [0, 1, 2].map((i) => ({ common: `common:c${i}`, mine: `mine:c${i}`, roots: `file:///client${i}` })),
        );
        const starts = shared.events().filter((line) => line.startsWith("start "));
        expect(starts.filter((line) => line.startsWith("start common "))).toHaveLength(1);
        expect(starts.filter((line) => line.startsWith("start mine "))).toHaveLength(3);
        const [daemon] = await shared.status();
        expect(daemon!.clients.map((c) => c.own_providers?.map((p) => p.id))).toEqual([["mine"], ["mine"], ["mine"]]);
        const own = clients.map((c) => daemon!.clients.find((d) => d.pid === c.pid)!.own_providers![0]!.pid!);
        await clients[0]![Symbol.asyncDispose]();
        await waitFor(() => !isAlive(own[0]!), 10_000, "the leaving client's own provider to stop");
        expect(own.slice(1).every(isAlive)).toBe(true);
      } finally {
        await Promise.all(clients.map((client) => client[Symbol.asyncDispose]()));
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a provider's log and sampling request go only to the client whose call runs on it",
    async () => {
      await using shared = sharedBox();
      shared.config(["p1"]);
      const sampling = (name: string) => ({
        capabilities: { sampling: {} },
        setup: (client: Client) =>
          client.setRequestHandler(CreateMessageRequestSchema, async () => ({
            role: "assistant" as const,
            model: "test",
            content: { type: "text" as const, text: `answered by ${name}` },
          })),
      });
      await using a = await shared.client([], sampling("a"));
      await using b = await shared.client([], sampling("b"));
      expect(textOf(await a.client.callTool({ name: "p1__ask", arguments: { tag: "a" } }))).toBe("answered by a");
      expect(textOf(await b.client.callTool({ name: "p1__ask", arguments: { tag: "b" } }))).toBe("answered by b");
      await waitFor(() => a.logs.length > 0 && b.logs.length > 0, 10_000, "the logs to arrive");
      const data = (logs: readonly unknown[]) => logs.map((log) => (log as { data?: unknown }).data);
      expect(data(a.logs)).toEqual(["log of a"]);
      expect(data(b.logs)).toEqual(["log of b"]);
      expect(shared.events().filter((line) => line.startsWith("start "))).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "a 2026-07-28 provider is told on each call what the calling client can answer, not what another client could",
    async () => {
      await using shared = sharedBox();
      shared.box.write(
        "hangar.yaml",
        `providers:\n  - ${JSON.stringify({ id: "md", command: fixture("modern-server.ts") })}\n`,
      );
      const sampling = {
        capabilities: { sampling: {} },
        setup: (client: Client) =>
          client.setRequestHandler(CreateMessageRequestSchema, async () => ({
            role: "assistant" as const,
            model: "test",
            content: { type: "text" as const, text: "unused" },
          })),
      };
      await using plain = await shared.client();
      await using asking = await shared.client([], sampling);
      const told = async (session: ServeSession) => {
        const result = await session.client.callTool({ name: "md__told_capabilities", arguments: {} });
        return (JSON.parse(textOf(result)) as Record<string, unknown>)["io.modelcontextprotocol/clientCapabilities"];
      };
      expect(await told(plain)).toEqual({});
      expect(await told(asking)).toEqual({ sampling: {} });
      expect(await told(plain)).toEqual({});
      expect(await shared.status()).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test("a broken config fails `hangar serve --shared` with exit 2 before any daemon starts", async () => {
    await using shared = sharedBox();
    shared.box.write("hangar.yaml", "providers:\n  - id: x\n    comand: [a]\n");
    const run = await runHangar(["serve", "--shared"], { env: shared.env, cwd: shared.box.cwd, stdin: "" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("did you mean `command`?");
    expect(await shared.status()).toEqual([]);
  });
});
