// Issue 16 items 5 and 10: provider-handle.ts wires small parts, each tested here on its own (no processes).
import { describe, expect, test } from "bun:test";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { McpServer } from "@modelcontextprotocol/server";
import { CancelledError, CircuitOpenError, ProviderError, TimeoutError } from "../src/errors.ts";
import { silentLogger } from "../src/observability/log.ts";
import { noopRecorder } from "../src/observability/recorder.ts";
import { ProviderBreaker } from "../src/pool/breaker.ts";
import { CatalogFollower } from "../src/pool/catalog-follower.ts";
import { ConnectionUses } from "../src/pool/connection-uses.ts";
import { HealthChecks, type HealthStats } from "../src/pool/health-check.ts";
import { IdleLease } from "../src/pool/idle-lease.ts";
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
    const connection = { client, era: { era: "legacy", learned: undefined } } as unknown as Connection;

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

describe("Circuit breaker (issue 16 item 10)", () => {
  test("The breaker's cooldown runs on the injected clock alone: no setSystemTime, no waiting", async () => {
    const clock = new FakeClock();
    let opened = 0;
    const options = { id: "p", maxConsecutiveFailures: 1, circuitCooldownMs: 30_000, callTimeoutMs: 1_000 };
    const breaker = new ProviderBreaker(options, clock, () => opened++);
    const failure = new TimeoutError("The call timed out after 1 s", 1_000);
    await expect(breaker.execute(() => Promise.reject(failure))).rejects.toBe(failure);
    expect([breaker.state, opened, breaker.remainingMs()]).toEqual(["open", 1, 30_000]);
    await expect(breaker.execute(() => Promise.resolve("never runs"))).rejects.toBeInstanceOf(CircuitOpenError);

    await clock.advance(29_999);
    expect([breaker.state, breaker.remainingMs()]).toEqual(["open", 1]);
    await expect(breaker.execute(() => Promise.resolve("never runs"))).rejects.toBeInstanceOf(CircuitOpenError);
    await clock.advance(1);
    expect(breaker.state).toBe("half-open");
    // A failed probe opens the circuit for another full cooldown, counted from the probe.
    await expect(breaker.execute(() => Promise.reject(failure))).rejects.toBe(failure);
    expect([breaker.state, opened, breaker.remainingMs()]).toEqual(["open", 2, 30_000]);
    await clock.advance(30_000);
    expect(await breaker.execute(() => Promise.resolve("probe"))).toBe("probe");
    expect(breaker.state).toBe("closed");
  });

  test("Calls lost to one incident count as one failure; the next incident counts again", async () => {
    const clock = new FakeClock();
    let opened = 0;
    const options = { id: "p", maxConsecutiveFailures: 2, circuitCooldownMs: 30_000, callTimeoutMs: 1_000 };
    const breaker = new ProviderBreaker(options, clock, () => opened++);
    const crash = (connection: object) => {
      const error = new ProviderError("p", 'Provider "p" stopped during the call: it exited', "transport_error");
      error.incident = connection;
      return error;
    };
    // Eight calls in flight when the provider crashes: every one fails, the breaker counts one failure.
    const crashed = Promise.withResolvers<void>();
    const connection = {};
    const running = Array.from({ length: 8 }, () =>
      breaker.execute(async () => {
        await crashed.promise;
        throw crash(connection);
      }),
    );
    crashed.resolve();
    const settled = await Promise.allSettled(running);
    expect(settled.map((call) => call.status === "rejected" && call.reason instanceof ProviderError)).toEqual(
      Array(8).fill(true),
    );
    expect([breaker.state, opened]).toEqual(["closed", 0]);
    // The provider's next connection crashes too: a new incident, the second failure in a row.
    await expect(breaker.execute(() => Promise.reject(crash({})))).rejects.toBeInstanceOf(ProviderError);
    expect([breaker.state, opened]).toEqual(["open", 1]);
  });

  test("A closed circuit counts as cockatiel counts: a success starts over, the caller's failures count nothing, a straggler failing while half-open opens it again", async () => {
    const clock = new FakeClock();
    let opened = 0;
    let refused = 0;
    const options = { id: "p", maxConsecutiveFailures: 2, circuitCooldownMs: 30_000, callTimeoutMs: 1_000 };
    const breaker = new ProviderBreaker(
      options,
      clock,
      () => opened++,
      () => refused++,
    );
    const failure = () => new TimeoutError("The call timed out after 1 s", 1_000);
    const fail = () => breaker.execute(() => Promise.reject(failure()));
    await expect(fail()).rejects.toBeInstanceOf(TimeoutError);
    expect(await breaker.execute(() => Promise.resolve("ok"))).toBe("ok");
    await expect(fail()).rejects.toBeInstanceOf(TimeoutError);
    // A cancelled call and a tool's own error say nothing about the provider.
    const cancelled = new AbortController();
    cancelled.abort(new CancelledError("the client went away"));
    await expect(breaker.execute(() => Promise.reject(new Error("aborted")), cancelled.signal)).rejects.toBeInstanceOf(
      CancelledError,
    );
    await expect(breaker.execute(() => Promise.reject(new RangeError("too deep")))).rejects.toBeInstanceOf(RangeError);
    expect([breaker.state, opened]).toEqual(["closed", 0]);

    // A call begins on the closed circuit and is still running when another opens it, and when the probe
    // after the cooldown is under way.
    const straggler = Promise.withResolvers<void>();
    const running = breaker.execute(async () => {
      await straggler.promise;
      throw failure();
    });
    await expect(fail()).rejects.toBeInstanceOf(TimeoutError);
    expect([breaker.state, opened]).toEqual(["open", 1]);
    await expect(breaker.execute(() => Promise.resolve("refused"))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(refused).toBe(1);
    await clock.advance(30_000);
    const probeAnswer = Promise.withResolvers<string>();
    const probe = breaker.execute(() => probeAnswer.promise);
    expect(breaker.state).toBe("half-open");
    straggler.resolve();
    await expect(running).rejects.toBeInstanceOf(TimeoutError);
    expect([breaker.state, opened, breaker.remainingMs()]).toEqual(["open", 2, 30_000]);
    probeAnswer.resolve("late");
    expect(await probe).toBe("late");
    expect(breaker.state).toBe("open");
  });
});

describe("Idle lease", () => {
  /** A lease over a ready provider, its stops counted, on a clock that counts the timers set. */
  function lease(ttlMs: number) {
    const clock = new FakeClock();
    const set = { count: 0 };
    const setTimeout = clock.setTimeout.bind(clock);
    clock.setTimeout = (fn, ms) => {
      set.count++;
      return setTimeout(fn, ms);
    };
    const stops: number[] = [];
    const idle = new IdleLease(clock, ttlMs, { isReady: () => true, onIdle: () => stops.push(clock.now()) });
    idle.arm();
    return { clock, set, stops, idle };
  }

  test("Calls one after another set no timer each; the provider stops a whole TTL after the last one ends", async () => {
    const { clock, set, stops, idle } = lease(1_000);
    for (let i = 0; i < 50; i++) {
      idle.acquire();
      await clock.advance(10);
      idle.release();
    }
    expect(set.count).toBe(1);
    expect(stops).toEqual([]);
    await clock.advance(999);
    expect(stops).toEqual([]);
    await clock.advance(1);
    expect(stops).toEqual([1_500]);
    expect(clock.pending).toBe(0);
  });

  test("A call in flight when the timer fires keeps the provider up; its end starts the TTL", async () => {
    const { clock, stops, idle } = lease(1_000);
    idle.acquire();
    await clock.advance(5_000);
    expect(stops).toEqual([]);
    expect(clock.pending).toBe(0);
    idle.release();
    await clock.advance(1_000);
    expect(stops).toEqual([6_000]);
  });

  test("A TTL of 0 never stops the provider, and a reload's new TTL starts over", async () => {
    const off = lease(0);
    off.idle.acquire();
    off.idle.release();
    await off.clock.advance(60_000);
    expect(off.stops).toEqual([]);
    expect(off.clock.pending).toBe(0);
    const { clock, stops, idle } = lease(1_000);
    await clock.advance(500);
    idle.retune(2_000);
    await clock.advance(1_999);
    expect(stops).toEqual([]);
    await clock.advance(1);
    expect(stops).toEqual([2_500]);
  });
});

describe("Connection uses", () => {
  test("Calls are counted per connection; idle waits for the last to end, and an end without a call counts nothing", async () => {
    const uses = new ConnectionUses<object>();
    const [a, b] = [{}, {}];
    await uses.idle(a); // none ran: at once
    uses.begin(a);
    uses.begin(a);
    uses.begin(b);
    expect([uses.count(a), uses.count(b)]).toEqual([2, 1]);
    let idle = false;
    const waiting = uses.idle(a).then(() => {
      idle = true;
    });
    uses.end(a);
    await Promise.resolve();
    expect(idle).toBe(false);
    uses.end(a);
    await waiting;
    expect(idle).toBe(true);
    uses.end(a); // more ends than calls: still none running, nothing below zero
    expect([uses.count(a), uses.count(b)]).toEqual([0, 1]);
    uses.begin(a);
    expect(uses.count(a)).toBe(1);
    uses.end(b);
    await uses.idle(b);
  });
});
