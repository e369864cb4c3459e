// Issue 16 item 5: provider-handle.ts wires small parts, each tested here on its own (no processes).
import { describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { silentLogger } from "../src/observability/log.ts";
import { noopRecorder } from "../src/observability/recorder.ts";
import { CatalogFollower } from "../src/pool/catalog-follower.ts";
import { HealthChecks, type HealthStats } from "../src/pool/health-check.ts";
import { type ProviderCatalog, readCatalog } from "../src/pool/read-catalog.ts";
import type { Connection } from "../src/providers/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { waitFor } from "./helpers/processes.ts";

describe("Health checks (issue 16 item 5)", () => {
  test("Health checks ping once per interval on the clock, count every outcome, and stop for good", async () => {
    const clock = new FakeClock();
    const stats: HealthStats = { healthChecks: 0, healthFailures: 0, lastPingMs: undefined };
    const recorded: boolean[] = [];
    const answers = [7, new Error("no answer")];
    let pings = 0;
    const checks = new HealthChecks({
      id: "p",
      intervalMs: 10_000,
      clock,
      logger: silentLogger,
      recorder: { ...noopRecorder, healthChecked: (_id, ok) => recorded.push(ok) },
      stats,
      isReady: () => true,
      ping: () => {
        const answer = answers[pings++];
        return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer ?? 1);
      },
    });
    checks.start();
    await clock.advance(9_999);
    expect(pings).toBe(0);
    await clock.advance(1);
    await waitFor(() => stats.healthChecks === 1, 1_000, "the first check");
    expect(stats.lastPingMs).toBe(7);
    await clock.advance(10_000);
    await waitFor(() => stats.healthChecks === 2, 1_000, "the second check");
    expect(stats).toEqual({ healthChecks: 2, healthFailures: 1, lastPingMs: 7 });
    expect(recorded).toEqual([true, false]);

    checks.stop();
    await clock.advance(60_000);
    expect(pings).toBe(2);
    expect(clock.pending).toBe(0);
  });

  test("An interval of 0 turns health checks off", async () => {
    const clock = new FakeClock();
    const stats: HealthStats = { healthChecks: 0, healthFailures: 0, lastPingMs: undefined };
    const checks = new HealthChecks({
      id: "p",
      intervalMs: 0,
      clock,
      logger: silentLogger,
      recorder: noopRecorder,
      stats,
      isReady: () => true,
      ping: () => Promise.resolve(1),
    });
    checks.start();
    expect(clock.pending).toBe(0);
  });
});

describe("Catalog following (issue 16 item 5)", () => {
  test("A followed provider's list_changed re-reads that list and tells every listener, until it is no longer current", async () => {
    const server = new McpServer({ name: "lists", version: "1" });
    server.registerTool("one", { description: "first" }, () => ({ content: [] }));
    server.registerPrompt("hello", { description: "a prompt" }, () => ({ messages: [] }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "test", version: "1" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    const connection = { client } as unknown as Connection;

    const follower = new CatalogFollower({
      id: "p",
      listTimeoutMs: 5_000,
      clock: new FakeClock(),
      logger: silentLogger,
    });
    expect(follower.listed).toBeUndefined();
    const heard: ProviderCatalog[] = [];
    follower.onChange((catalog) => heard.push(catalog));
    let current = true;
    const first = await readCatalog(client, AbortSignal.timeout(5_000));
    follower.follow(connection, first, () => current);
    expect(heard).toEqual([first]);
    expect(follower.listed?.tools.map((t) => t.name)).toEqual(["one"]);

    server.registerTool("two", { description: "second" }, () => ({ content: [] }));
    await waitFor(() => heard.length === 2, 5_000, "the re-read tools");
    expect(follower.listed?.tools.map((t) => t.name)).toEqual(["one", "two"]);
    expect(follower.listed?.prompts).toBe(first.prompts); // only the list that changed is read again

    current = false;
    server.registerTool("three", { description: "third" }, () => ({ content: [] }));
    await client.listTools(); // answered after the list_changed notification was handled
    expect(heard.length).toBe(2);
    await client.close();
  });
});
