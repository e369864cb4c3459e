// Over HTTP one provider connection serves every session: a provider's sampling and elicitation
// requests and its log messages go to the session whose call made it ask, and to no other; its
// resources/updated to the sessions that subscribed.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CallToolResultSchema,
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { type Sandbox, sandbox } from "./helpers/e2e.ts";
import { type HttpHangar, startHttpHangar } from "./helpers/http-serve.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { textOf } from "./helpers/serve.ts";

const TIMEOUT_MS = 20_000;

async function startWithFixture(box: Sandbox): Promise<HttpHangar> {
  box.write(
    "hangar.yaml",
    `providers:\n  - ${JSON.stringify({ id: "fx", command: fixture("conformance-server.ts") })}\n`,
  );
  return startHttpHangar(box);
}

/** A client that answers sampling and elicitation, counting what it was asked, and keeps the logs it gets. */
async function answeringClient(hangar: HttpHangar, name: string) {
  const asked: string[] = [];
  const logs: { data: unknown; logger?: string | undefined }[] = [];
  const updated: string[] = [];
  const { client } = await hangar.connect({ capabilities: { sampling: {}, elicitation: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => {
    asked.push("sampling");
    return { role: "assistant", model: "test", content: { type: "text", text: `answer from ${name}` } };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => {
    asked.push("elicitation");
    return { action: "accept", content: { username: name, email: `${name}@example.com` } };
  });
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    async (n) => void logs.push({ data: n.params.data, logger: n.params.logger }),
  );
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => void updated.push(n.params.uri));
  await waitFor(
    async () => (await client.listTools()).tools.some((t) => t.name === "fx__test_sampling"),
    10_000,
    "the fixture's tools",
  );
  return { client, asked, logs, updated };
}

/** Two answering sessions, alice and bob, on `hangar`. */
async function aliceAndBob(hangar: HttpHangar) {
  return { alice: await answeringClient(hangar, "alice"), bob: await answeringClient(hangar, "bob") };
}

describe("hangar serve --http: providers' requests reach the calling session", () => {
  test(
    "a 2026-07-28 provider is told on each call what the calling client can answer, not what any session could",
    async () => {
      using box = sandbox();
      box.write(
        "hangar.yaml",
        `providers:\n  - ${JSON.stringify({ id: "md", command: fixture("modern-server.ts") })}\n  - ${JSON.stringify({ id: "jobs", command: fixture("tasks-server.ts") })}\n`,
      );
      await using hangar = await startHttpHangar(box);
      const declared = (result: unknown) =>
        (JSON.parse(textOf(result as Parameters<typeof textOf>[0])) as Record<string, unknown>)[
          "io.modelcontextprotocol/clientCapabilities"
        ];
      const told = async (capabilities: Record<string, unknown>) => {
        const { client } = await hangar.connect({ capabilities });
        await waitFor(
          async () => {
            const names = (await client.listTools()).tools.map((t) => t.name);
            return names.includes("md__told_capabilities") && names.includes("jobs__told_task_capabilities");
          },
          10_000,
          "the fixtures' tools",
        );
        // The fast route's call, one the SDK server answers (a param the fast route leaves to it), and a batch's.
        const fast = await client.callTool({ name: "md__told_capabilities", arguments: {} });
        const viaSdk = await client.request(
          { method: "tools/call", params: { name: "md__told_capabilities", arguments: {}, extra: true } },
          CallToolResultSchema,
        );
        const batch = await client.callTool({
          name: "hangar_call",
          arguments: { calls: [{ provider: "md", tool: "told_capabilities", arguments: {} }] },
        });
        const inBatch = (batch.structuredContent as { results: { result: unknown }[] }).results[0]!.result;
        // A prompt, a resource and a completion tell it too.
        const prompt = await client.getPrompt({ name: "md__told_capabilities" });
        const uri = (await client.listResources()).resources.find((r) => r.uri.endsWith("told"))!.uri;
        const resource = await client.readResource({ uri });
        const completion = await client.complete({
          ref: { type: "ref/prompt", name: "md__told_capabilities" },
          argument: { name: "any", value: "" },
        });
        // A provider offering tasks is called through the tasks requester, which declares the extension too.
        const task = await client.callTool({ name: "jobs__told_task_capabilities", arguments: {} });
        const { extensions, ...inTask } = JSON.parse(textOf(task)) as { extensions?: unknown };
        expect(extensions).toEqual({ "io.modelcontextprotocol/tasks": {} });
        const text = (content: unknown) => ({ content: [content] });
        return [
          inTask,
          declared(fast),
          declared(viaSdk),
          declared(inBatch),
          declared(text(prompt.messages[0]!.content)),
          declared(text({ type: "text", text: (resource.contents[0] as { text: string }).text })),
          declared(text({ type: "text", text: completion.completion.values[0] })),
        ];
      };
      expect(await told({})).toEqual(Array(7).fill({}));
      const sampling = { sampling: {} };
      expect(await told(sampling)).toEqual(Array(7).fill(sampling));
      // What Hangar relays (sampling, elicitation) and the client declared; roots Hangar does not relay here.
      const both = { sampling: {}, elicitation: {} };
      expect(await told({ sampling: { context: {} }, elicitation: {}, roots: {} })).toEqual(Array(7).fill(both));
      // A REST batch's client answers nothing a provider could ask.
      const rest = await fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ calls: [{ provider: "md", tool: "told_capabilities", arguments: {} }] }),
      });
      expect(declared(((await rest.json()) as { results: { result: unknown }[] }).results[0]!.result)).toEqual({});
    },
    TIMEOUT_MS,
  );

  test(
    "sampling and elicitation go to the session whose call asked, never to another open session",
    async () => {
      using box = sandbox();
      await using hangar = await startWithFixture(box);
      const { alice, bob } = await aliceAndBob(hangar);
      const sampled = await bob.client.callTool({ name: "fx__test_sampling", arguments: { prompt: "hi" } });
      expect(textOf(sampled)).toBe("LLM response: answer from bob");
      const elicited = await alice.client.callTool({ name: "fx__test_elicitation", arguments: { message: "who?" } });
      expect(textOf(elicited)).toContain('"username":"alice"');
      expect(alice.asked).toEqual(["elicitation"]);
      expect(bob.asked).toEqual(["sampling"]);
    },
    TIMEOUT_MS,
  );

  test(
    "a provider's log messages reach only the calling session, named after the provider",
    async () => {
      using box = sandbox();
      await using hangar = await startWithFixture(box);
      const { alice, bob } = await aliceAndBob(hangar);
      await alice.client.callTool({ name: "fx__test_tool_with_logging", arguments: {} });
      await waitFor(() => alice.logs.length === 3, 5_000, "three log messages");
      expect(alice.logs.map((l) => l.data)).toEqual([
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
      ]);
      expect(alice.logs.every((l) => l.logger === "fx")).toBe(true);
      expect(bob.logs).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "a client that did not declare sampling gets an error result, not a hang",
    async () => {
      using box = sandbox();
      await using hangar = await startWithFixture(box);
      await answeringClient(hangar, "warm");
      const { client } = await hangar.connect();
      const result = await client.callTool({ name: "fx__test_sampling", arguments: { prompt: "hi" } });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain("did not declare sampling");
    },
    TIMEOUT_MS,
  );

  test(
    "resources/updated reaches only the sessions subscribed to the resource, under Hangar's URI; the last unsubscribe reaches the provider",
    async () => {
      using box = sandbox();
      await using hangar = await startWithFixture(box);
      const { alice, bob } = await aliceAndBob(hangar);
      const uri = "hangar://fx/test://watched-resource";
      expect(await alice.client.subscribeResource({ uri })).toEqual({});
      expect(textOf(await bob.client.callTool({ name: "fx__touch_watched_resource", arguments: {} }))).toBe("updated");
      await waitFor(() => alice.updated.length === 1, 5_000, "resources/updated at alice");
      expect(alice.updated).toEqual([uri]);
      expect(bob.updated).toEqual([]);
      expect(await alice.client.unsubscribeResource({ uri })).toEqual({});
      expect(textOf(await bob.client.callTool({ name: "fx__touch_watched_resource", arguments: {} }))).toBe(
        "nobody subscribed",
      );
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve --http: a provider's traffic stays with the session calling it (issue 9 item 11)", () => {
  /** Two probe providers, `a` and `b`, each writing what it does to its own log file. */
  async function startProbes(box: Sandbox): Promise<HttpHangar> {
    const probe = (id: string) =>
      `  - ${JSON.stringify({ id, command: fixture("probe-server.ts"), env: { PROBE_LOG: join(box.root, `${id}.log`) } })}\n`;
    box.write("hangar.yaml", `providers:\n${probe("a")}${probe("b")}`);
    return startHttpHangar(box);
  }
  const probeLog = (box: Sandbox, id: string) => {
    try {
      return readFileSync(join(box.root, `${id}.log`), "utf8");
    } catch {
      return "";
    }
  };

  /** A client that answers elicitation with its name, keeping what it was asked and the logs it got. */
  async function session(hangar: HttpHangar, name: string) {
    const asked: string[] = [];
    const logs: unknown[] = [];
    const { client } = await hangar.connect({ capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: "accept", content: { username: name } };
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params.data));
    await waitFor(
      async () => (await client.listTools()).tools.some((t) => t.name === "b__wait"),
      10_000,
      "the probes' tools",
    );
    return { client, asked, logs };
  }

  /** Two sessions, alice and bob, on `hangar`. */
  async function sessions(hangar: HttpHangar) {
    return { alice: await session(hangar, "alice"), bob: await session(hangar, "bob") };
  }

  /** Starts `who`'s `<provider>__wait` call and resolves once the provider runs it; disposing cancels it. */
  async function waitingCall(
    box: Sandbox,
    who: Awaited<ReturnType<typeof session>>,
    provider: string,
    what: string,
  ): Promise<AsyncDisposable> {
    const stop = new AbortController();
    const waiting = who.client
      .callTool({ name: `${provider}__wait`, arguments: {} }, undefined, { signal: stop.signal })
      .catch(() => {});
    await waitFor(() => probeLog(box, provider).includes("waiting"), 10_000, what);
    return {
      [Symbol.asyncDispose]: async () => {
        stop.abort();
        await waiting;
      },
    };
  }

  test(
    "a session whose only running request is on another provider never gets the provider's log or elicitation, nor answers it",
    async () => {
      using box = sandbox();
      await using hangar = await startProbes(box);
      const { alice, bob } = await sessions(hangar);
      const gate = join(box.root, "gate");
      const confided = alice.client.callTool({ name: "a__confide", arguments: { gate } });
      await waitFor(() => probeLog(box, "a").includes("confiding"), 10_000, "alice's call to run on a");
      // Bob's request is now the most recent one running, but on provider b.
      await using _waiting = await waitingCall(box, bob, "b", "bob's call to run on b");
      writeFileSync(gate, "");
      expect(textOf(await confided)).toBe('answered: {"username":"alice"}');
      expect(alice.asked).toEqual(["Who is asking?"]);
      await waitFor(() => alice.logs.length === 1, 5_000, "the log at alice");
      expect(alice.logs).toEqual(["private data of this call"]);
      expect(bob.asked).toEqual([]);
      expect(bob.logs).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "a provider asked during a hangar_call batch is answered by the batch's session",
    async () => {
      using box = sandbox();
      await using hangar = await startProbes(box);
      const { alice, bob } = await sessions(hangar);
      const gate = join(box.root, "gate");
      const batch = alice.client.callTool({
        name: "hangar_call",
        arguments: { calls: [{ provider: "a", tool: "confide", arguments: { gate } }] },
      });
      await waitFor(() => probeLog(box, "a").includes("confiding"), 10_000, "alice's batch to run on a");
      await using _waiting = await waitingCall(box, bob, "b", "bob's call to run on b");
      writeFileSync(gate, "");
      const result = (await batch).structuredContent as { results: { result: unknown }[] };
      expect(textOf(result.results[0]!.result)).toBe('answered: {"username":"alice"}');
      expect(bob.asked).toEqual([]);
      expect(bob.logs).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "with no request running on the provider, its elicitation is refused and its log reaches no session",
    async () => {
      using box = sandbox();
      await using hangar = await startProbes(box);
      const { alice, bob } = await sessions(hangar);
      const gate = join(box.root, "gate");
      expect(textOf(await alice.client.callTool({ name: "a__confide_later", arguments: { gate } }))).toBe("later");
      await using _waiting = await waitingCall(box, bob, "b", "bob's call to run on b");
      writeFileSync(gate, "");
      await waitFor(() => probeLog(box, "a").includes("later "), 10_000, "the provider's elicitation to settle");
      expect(probeLog(box, "a")).toContain("later refused: ");
      expect(probeLog(box, "a")).toContain("no HTTP client has a request running on it");
      // The log was sent before the elicitation; give a stray forward the same time to arrive.
      const probe = await alice.client.callTool({ name: "a__echo", arguments: { text: "after" } });
      expect(textOf(probe)).toBe("after");
      expect([...alice.asked, ...bob.asked]).toEqual([]);
      expect([...alice.logs, ...bob.logs]).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "a session's logging/setLevel filters the provider logs it gets",
    async () => {
      using box = sandbox();
      await using hangar = await startProbes(box);
      const alice = await session(hangar, "alice");
      await alice.client.setLoggingLevel("error");
      expect(textOf(await alice.client.callTool({ name: "a__log", arguments: { text: "quiet" } }))).toBe("logged");
      await alice.client.setLoggingLevel("warning");
      expect(textOf(await alice.client.callTool({ name: "a__log", arguments: { text: "loud" } }))).toBe("logged");
      await waitFor(() => alice.logs.length > 0, 5_000, "the warning at alice");
      expect(alice.logs).toEqual(["loud"]);
    },
    TIMEOUT_MS,
  );

  test(
    "with requests of two sessions running on the provider, the most recent one gets its elicitation",
    async () => {
      using box = sandbox();
      await using hangar = await startProbes(box);
      const { alice, bob } = await sessions(hangar);
      await using _waiting = await waitingCall(box, alice, "a", "alice's call to run on a");
      const gate = join(box.root, "gate");
      writeFileSync(gate, "");
      expect(textOf(await bob.client.callTool({ name: "a__confide", arguments: { gate } }))).toBe(
        'answered: {"username":"bob"}',
      );
      expect(alice.asked).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
