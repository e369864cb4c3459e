// Over HTTP one provider connection serves every session: a provider's sampling and elicitation
// requests and its log messages go to the session whose call made it ask, and to no other; its
// resources/updated to the sessions that subscribed.
import { describe, expect, test } from "bun:test";
import {
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

describe("hangar serve --http: providers' requests reach the calling session", () => {
  test(
    "sampling and elicitation go to the session whose call asked, never to another open session",
    async () => {
      using box = sandbox();
      await using hangar = await startWithFixture(box);
      const alice = await answeringClient(hangar, "alice");
      const bob = await answeringClient(hangar, "bob");
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
      const alice = await answeringClient(hangar, "alice");
      const bob = await answeringClient(hangar, "bob");
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
      const alice = await answeringClient(hangar, "alice");
      const bob = await answeringClient(hangar, "bob");
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
