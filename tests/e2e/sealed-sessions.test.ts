// Issue 13, "any replica answers any request", through the compiled binary: two `serve --http`
// processes reading one --session-key-file; an SDK client whose requests go to one, then the other.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { type HttpHangar, startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { textOf } from "../helpers/serve.ts";

const TIMEOUT_MS = 60_000;
const KEY = "a shared secret of at least thirty-two bytes, for the tests\n";

/** hangar.yaml with the probe provider `p`; the key file; returns the key file's path. */
function configure(box: Sandbox): string {
  box.write("hangar.yaml", `providers:\n  - ${JSON.stringify({ id: "p", command: fixture("probe-server.ts") })}\n`);
  return box.write("session-key", KEY);
}

/** A v1 SDK client whose every request goes to `target()` (a replica's base URL), whatever URL it names. */
async function routedClient(first: HttpHangar, target: () => string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${first.base}/mcp`), {
    fetch: (url, init) => fetch(String(url).replace(first.base, target()), init),
  });
  const client = new Client({ name: "routed", version: "1.0.0" }, { capabilities: { sampling: {} } });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: "assistant",
    model: "test",
    content: { type: "text", text: "from the client" },
  }));
  await client.connect(transport);
  return client;
}

describe("Issue 13: serve --http --session-key-file", () => {
  test(
    "a session opened on one process is served by another that never saw it, client capabilities included",
    async () => {
      using box = sandbox();
      const key = configure(box);
      await using a = await startHttpHangar(box, ["--session-key-file", key, "--log-level", "debug"]);
      await using b = await startHttpHangar(box, [], { HANGAR_SESSION_KEY_FILE: key, HANGAR_LOG_LEVEL: "debug" });
      let target = a.base;
      const client = await routedClient(a, () => target);
      target = b.base;
      await waitFor(
        async () => (await client.listTools()).tools.some((tool) => tool.name === "p__sample"),
        20_000,
        "p's tools on the second process",
      );
      expect(b.running.stderr()).toContain("rebuilt a sealed MCP session opened elsewhere");
      // The provider asks for sampling: the second process knows the client declared it.
      const sampled = await client.callTool({ name: "p__sample", arguments: {} });
      expect(textOf(sampled)).toContain("from the client");
      target = a.base;
      expect(textOf(await client.callTool({ name: "p__echo", arguments: { text: "back on a" } }))).toContain(
        "back on a",
      );
      await client.close();
    },
    TIMEOUT_MS,
  );

  test(
    "without the key, the other process answers the session's requests with 404 (as before)",
    async () => {
      using box = sandbox();
      const key = configure(box);
      await using a = await startHttpHangar(box, ["--session-key-file", key]);
      await using b = await startHttpHangar(box);
      let target = a.base;
      const client = await routedClient(a, () => target);
      target = b.base;
      await expect(client.listTools()).rejects.toThrow(/404|Session not found/);
      await client.close().catch(() => {});
    },
    TIMEOUT_MS,
  );

  test.each([
    [
      "a missing key file",
      ["--session-key-file", "/nonexistent/key"],
      {},
      "Cannot read the session key file /nonexistent/key (--session-key-file)",
    ],
    ["an empty key file", [], { HANGAR_SESSION_KEY_FILE: "EMPTY" }, "is empty ($HANGAR_SESSION_KEY_FILE)"],
    ["a short key", ["--session-key-file", "SHORT"], {}, "shorter than 32 bytes"],
  ] as const)("serve --http with %s is refused with exit code 2", async (_, args, env, message) => {
    using box = sandbox();
    const paths = { EMPTY: box.write("empty", "\n"), SHORT: box.write("short", "short\n") };
    const resolve = (value: string) => paths[value as keyof typeof paths] ?? value;
    const run = await runHangar(
      ["serve", "--http", "--port", "0", ...args.map(resolve)],
      box.options(Object.fromEntries(Object.entries(env).map(([name, value]) => [name, resolve(value)]))),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test("--session-key-file goes with --http", async () => {
    using box = sandbox();
    const run = await runHangar(["serve", "--session-key-file", join(box.root, "k")], box.options());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("go with --http");
  });
});
