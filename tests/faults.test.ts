import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedProvider } from "../src/config/types.ts";
import { CancelledError } from "../src/errors.ts";
import { Gateway } from "../src/gateway/index.ts";
import { AbortGroup } from "../src/scheduler/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { fixture } from "./helpers/paths.ts";
import { countingSpawner, isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

function faulty(
  id: string,
  env: Record<string, string> = {},
  overrides: Partial<ResolvedProvider> = {},
): ResolvedProvider {
  const [command, ...args] = fixture("faulty-server.ts");
  return stdioProvider(id, [command!, ...args], {
    ...overrides,
    transport: { kind: "stdio", command: command!, args, env, cwd: undefined },
  });
}

function setup(providers: ResolvedProvider[]) {
  const clock = new FakeClock();
  const spawner = countingSpawner();
  const gateway = new Gateway(configOf([...providers, demoProvider("demo")]), { clock, spawner });
  open.push(gateway);
  return { clock, spawner, gateway };
}

/** Moves the fake clock on in small steps until `work` settles (for waits such as retry backoff). */
async function whileAdvancing<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let done = false;
  void work.finally(() => (done = true)).catch(() => {});
  await waitFor(
    async () => {
      if (!done) await clock.advance(100);
      return done;
    },
    10_000,
    "the work to settle",
  );
  return work;
}

const healthy = { provider: "demo", tool: "echo", arguments: { message: "unaffected" } };

describe("Fault injection: starts and restarts", () => {
  test("A provider that crashes at start fails its calls with its exit code and stderr; the rest of the batch succeeds", async () => {
    const { gateway } = setup([faulty("broken", { FAULT_CRASH_AT_START: "1" })]);
    const batch = await gateway.run({ calls: [{ provider: "broken", tool: "ok" }, healthy] });
    expect(batch.results[1]).toMatchObject({ ok: true });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "provider_unavailable" } });
    expect(batch.results[0]!.error!.message).toBe(
      'Provider "broken" stopped during start-up: it exited with code 2; its stderr ended with: faulty-server: cannot open database: permission denied',
    );
  });

  test("issue 9 #30: a start failure quotes the last meaningful stderr lines, not a stack frame", async () => {
    const { gateway } = setup([faulty("broken", { FAULT_CRASH_AT_START: "trace" })]);
    const batch = await gateway.run({ calls: [{ provider: "broken", tool: "ok" }] });
    expect(batch.results[0]!.error!.message).toBe(
      'Provider "broken" stopped during start-up: it exited with code 1; its stderr ended with: ' +
        "Connecting to the database ... | Error: Fatal error: No connector found for DSN",
    );
  });

  test("Failed starts back off: calls during the backoff fail fast and say when the next attempt is", async () => {
    const { clock, spawner, gateway } = setup([
      faulty("broken", { FAULT_CRASH_AT_START: "1" }, { maxConsecutiveFailures: 100 }),
    ]);
    await gateway.run({ calls: [{ provider: "broken", tool: "ok" }] });
    // Its process closed during the era probe, so it was given one more as a legacy server (issue 10).
    const perAttempt = spawner.count;
    expect(perAttempt).toBe(2);
    const during = await gateway.run({ calls: [{ provider: "broken", tool: "ok" }] });
    expect(during.results[0]).toMatchObject({ ok: false, error: { type: "provider_unavailable", retryable: true } });
    expect(during.results[0]!.error!.message).toMatch(
      /^Provider "broken" is unavailable \(.*exited with code 2.*\); next start attempt in \d+ s$/,
    );
    expect(spawner.count).toBe(perAttempt);
    await clock.advance(60_000);
    await gateway.run({ calls: [{ provider: "broken", tool: "ok" }] });
    expect(spawner.count).toBe(2 * perAttempt);
  });

  test("A provider that crashed while ready restarts on the next call without waiting", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "hangar-fault-")), "crashed");
    const { spawner, gateway } = setup([faulty("once", { FAULT_CRASH_ONCE: marker })]);
    await gateway.handles.get("once")!.ensureReady(AbortSignal.timeout(10_000));
    const crashed = await gateway.run({ calls: [{ provider: "once", tool: "write" }] });
    expect(crashed.results[0]).toMatchObject({ ok: false, attempts: 1, error: { type: "transport_error" } });
    expect(existsSync(marker)).toBe(true);
    const after = await gateway.run({ calls: [{ provider: "once", tool: "write" }] });
    expect(after.results[0]).toMatchObject({ ok: true });
    expect(spawner.count).toBe(2);
  });
});

describe("Fault injection: deadlines, retries, backpressure", () => {
  test("A hung call ends at its deadline with timeout while the others succeed", async () => {
    const { clock, gateway } = setup([faulty("stuck")]);
    const running = gateway.run({ calls: [{ provider: "stuck", tool: "hang", timeout_s: 5 }, healthy] });
    await waitFor(() => gateway.handles.get("stuck")!.active === 1, 10_000, "the hung call to be in flight");
    await clock.advance(5_000);
    const batch = await running;
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "timeout", retryable: true } });
    expect(batch.results[1]).toMatchObject({ ok: true });
  });

  test("A write that timed out is a timeout with retryable false, its outcome unknown", async () => {
    const { clock, gateway } = setup([faulty("stuck", {}, { retries: 3 })]);
    const running = gateway.run({ calls: [{ provider: "stuck", tool: "hang_write", timeout_s: 5 }] });
    await waitFor(() => gateway.handles.get("stuck")!.active === 1, 10_000, "the call to be in flight");
    await clock.advance(5_000);
    const [result] = (await running).results;
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { type: "timeout", retryable: false } });
    expect(result!.error!.message).toContain("outcome is unknown");
  });

  test("A read-only call whose provider crashed is retried and counted in attempts", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "hangar-fault-")), "crashed");
    const { clock, gateway } = setup([faulty("once", { FAULT_CRASH_ONCE: marker }, { retries: 1 })]);
    const batch = await whileAdvancing(clock, gateway.run({ calls: [{ provider: "once", tool: "ok" }] }));
    expect(batch.results[0]).toMatchObject({ ok: true, attempts: 2 });
  });

  test("A call that may write is never retried", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "hangar-fault-")), "crashed");
    const { gateway } = setup([faulty("once", { FAULT_CRASH_ONCE: marker }, { retries: 3 })]);
    const batch = await gateway.run({ calls: [{ provider: "once", tool: "write" }] });
    expect(batch.results[0]).toMatchObject({ ok: false, attempts: 1, error: { type: "transport_error" } });
  });

  test("Past a provider's bounded queue, calls fail at once with overloaded", async () => {
    const { gateway } = setup([faulty("busy", {}, { maxConcurrency: 1, maxQueue: 2 })]);
    const controller = new AbortController();
    const stream = gateway.stream(
      { calls: Array.from({ length: 5 }, () => ({ provider: "busy", tool: "hang" })) },
      { signal: controller.signal },
    );
    const first: string[] = [];
    for await (const result of stream.results) {
      first.push(result.error!.type);
      if (first.length === 2) controller.abort();
    }
    expect(first.slice(0, 2)).toEqual(["overloaded", "overloaded"]);
    expect(first.slice(2)).toEqual(["cancelled", "cancelled", "cancelled"]);
  });

  test("A provider flooding stderr keeps only a bounded tail", async () => {
    const { gateway } = setup([faulty("loud")]);
    const batch = await gateway.run({
      calls: [{ provider: "loud", tool: "flood_stderr", arguments: { mb: 20 } }, healthy],
    });
    expect(batch.ok).toBe(true);
    const tail = gateway.handles.get("loud")!.stderrTail();
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.length).toBeLessThanOrEqual(64 * 1024);
  });
});

describe("Fault injection: a pass-through call (callOne, run without a batch around it)", () => {
  test("A hung pass-through call ends at its deadline with timeout", async () => {
    const { clock, gateway } = setup([faulty("stuck")]);
    const running = gateway.callOne({ provider: "stuck", tool: "hang", timeout_s: 5 });
    await waitFor(() => gateway.handles.get("stuck")!.active === 1, 10_000, "the hung call to be in flight");
    await clock.advance(5_000);
    expect(await running).toMatchObject({ ok: false, attempts: 1, error: { type: "timeout", retryable: true } });
    expect(gateway.handles.get("stuck")!.active).toBe(0);
  });

  test("A read-only pass-through call whose provider crashed is retried and counted in attempts", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "hangar-fault-")), "crashed");
    const { clock, gateway } = setup([faulty("once", { FAULT_CRASH_ONCE: marker }, { retries: 1 })]);
    const result = await whileAdvancing(clock, gateway.callOne({ provider: "once", tool: "ok" }));
    expect(result).toMatchObject({ ok: true, attempts: 2 });
  });

  test("A pass-through call that may write, its provider crashed mid-call, is a transport_error and not retried", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "hangar-fault-")), "crashed");
    const { gateway } = setup([faulty("once", { FAULT_CRASH_ONCE: marker }, { retries: 3 })]);
    const result = await gateway.callOne({ provider: "once", tool: "write" });
    expect(result).toMatchObject({ ok: false, attempts: 1, error: { type: "transport_error" } });
    expect(result.error!.message).toStartWith('Provider "once" stopped during the call');
  });

  test("Past a provider's bounded queue, pass-through calls fail at once with overloaded; the rest end with their caller", async () => {
    const { gateway } = setup([faulty("busy", {}, { maxConcurrency: 1, maxQueue: 2 })]);
    const controller = new AbortController();
    const calls = Array.from({ length: 5 }, () =>
      gateway.callOne({ provider: "busy", tool: "hang" }, { signal: controller.signal }),
    );
    const refused = await Promise.all(calls.slice(3));
    expect(refused.map((r) => r.error?.type)).toEqual(["overloaded", "overloaded"]);
    expect(gateway.load("busy")).toEqual({ inFlight: 1, queued: 2 });
    controller.abort(new CancelledError());
    const ended = await Promise.all(calls.slice(0, 3));
    expect(ended.map((r) => r.error?.type)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(gateway.load("busy")).toEqual({ inFlight: 0, queued: 0 });
  });
  test("Pass-through calls given their caller's cancellation as a group end with its reason, waiting or running, and free their permits", async () => {
    const { gateway } = setup([faulty("busy", {}, { maxConcurrency: 1, maxQueue: 2 })]);
    const groups = Array.from({ length: 5 }, () => new AbortGroup());
    const calls = groups.map((cancel) => gateway.callOne({ provider: "busy", tool: "hang" }, { cancel }));
    const refused = await Promise.all(calls.slice(3));
    expect(refused.map((r) => r.error?.type)).toEqual(["overloaded", "overloaded"]);
    expect(gateway.load("busy")).toEqual({ inFlight: 1, queued: 2 });
    for (const cancel of groups) cancel.abort(new CancelledError("the client went away"));
    const ended = await Promise.all(calls.slice(0, 3));
    expect(ended.map((r) => [r.error?.type, r.error?.message])).toEqual(
      Array(3).fill(["cancelled", "the client went away"]),
    );
    expect(gateway.load("busy")).toEqual({ inFlight: 0, queued: 0 });
    expect(gateway.handles.get("busy")!.active).toBe(0);
  });
});

describe("Fault injection: circuit breaker and health checks", () => {
  test("The circuit opens after max_consecutive_failures timeouts, half-opens after the cooldown and closes on success (one fake clock, issue 16 item 10)", async () => {
    const { clock, spawner, gateway } = setup([
      faulty("flaky", {}, { maxConsecutiveFailures: 2, circuitCooldownMs: 30_000, callTimeoutMs: 1_000 }),
    ]);
    const handle = gateway.handles.get("flaky")!;
    for (let i = 0; i < 2; i++) {
      const running = gateway.run({ calls: [{ provider: "flaky", tool: "hang" }] });
      await waitFor(() => handle.active === 1, 10_000, "the hung call to be in flight");
      await clock.advance(1_000);
      expect((await running).results[0]!.error!.type).toBe("timeout");
    }
    expect(handle.breaker.state).toBe("open");
    const pid = spawner.pids[0]!;
    await waitFor(() => !isAlive(pid), 10_000, "the failing provider to be stopped when the circuit opens");

    const rejected = await gateway.run({ calls: [{ provider: "flaky", tool: "ok" }, healthy] });
    expect(rejected.results[0]).toMatchObject({
      ok: false,
      attempts: 0,
      error: { type: "circuit_open", retryable: true },
    });
    expect(rejected.results[0]!.error!.message).toBe(
      'Provider "flaky" is failing; its circuit is open for another 30 s',
    );
    expect(rejected.results[1]).toMatchObject({ ok: true });

    await clock.advance(29_999);
    expect(handle.breaker.state).toBe("open");
    await clock.advance(1);
    expect(handle.breaker.state).toBe("half-open");
    const probe = await gateway.run({ calls: [{ provider: "flaky", tool: "ok" }] });
    expect(probe.results[0]).toMatchObject({ ok: true });
    expect(handle.breaker.state).toBe("closed");
  });

  test("A caller's own short deadline never opens the circuit; one as long as call_timeout_s does (issue 9 item 6)", async () => {
    const { clock, spawner, gateway } = setup([
      faulty("slow", {}, { maxConsecutiveFailures: 2, callTimeoutMs: 5_000 }),
    ]);
    const handle = gateway.handles.get("slow")!;
    const timeOut = async (timeout_s: number) => {
      const running = gateway.run({ calls: [{ provider: "slow", tool: "hang", timeout_s }] });
      await waitFor(() => handle.active === 1, 10_000, "the hung call to be in flight");
      await clock.advance(timeout_s * 1000);
      expect((await running).results[0]!.error!.type).toBe("timeout");
    };
    for (let i = 0; i < 3; i++) await timeOut(0.2);
    expect(handle.breaker.state).toBe("closed");
    expect((await gateway.run({ calls: [{ provider: "slow", tool: "ok" }] })).ok).toBe(true);
    expect(spawner.count).toBe(1); // never stopped for the caller's impatience

    for (let i = 0; i < 2; i++) await timeOut(5);
    expect(handle.breaker.state).toBe("open");
  });

  test("A caller's cancellation never opens the circuit (issue 9 item 6)", async () => {
    const { gateway } = setup([faulty("slow", {}, { maxConsecutiveFailures: 1 })]);
    const handle = gateway.handles.get("slow")!;
    for (let i = 0; i < 3; i++) {
      const caller = new AbortController();
      const running = gateway.run({ calls: [{ provider: "slow", tool: "hang" }] }, { signal: caller.signal });
      await waitFor(() => handle.active === 1, 10_000, "the hung call to be in flight");
      caller.abort(new CancelledError());
      expect((await running).results[0]!.error!.type).toBe("cancelled");
    }
    expect(handle.breaker.state).toBe("closed");
  });

  test("Arguments nested 100,000 deep fail alone with invalid_arguments and never count against the provider (issue 9 item 6)", async () => {
    const { gateway } = setup([]);
    const deep = JSON.parse(`${"[".repeat(100_000)}1${"]".repeat(100_000)}`);
    const huge = "x".repeat(5 * 1024 * 1024);
    const batch = await gateway.run({
      calls: [
        { provider: "demo", tool: "echo", arguments: { message: "a", deep } },
        { provider: "demo", tool: "echo", arguments: { message: "b", deep } },
        { provider: "demo", tool: "echo", arguments: { message: huge } },
        healthy,
      ],
    });
    expect(batch.results.map((r) => r.error?.type)).toEqual([
      "invalid_arguments",
      "invalid_arguments",
      "invalid_arguments",
      undefined,
    ]);
    expect(batch.results[0]!.error!.message).toBe(
      'Invalid arguments for "demo" tool "echo": arguments are nested more than 128 levels deep (the limit is 128)',
    );
    expect(batch.results[2]!.error!.message).toBe(
      'Invalid arguments for "demo" tool "echo": arguments are larger than 4194304 bytes as JSON (the limit is 4 MiB)',
    );
    expect(gateway.handles.get("demo")!.breaker.state).toBe("closed");
  });

  test("Tool errors (isError) never open the circuit", async () => {
    const { gateway } = setup([demoProvider("failing", { maxConsecutiveFailures: 2 })]);
    const batch = await gateway.run({
      calls: Array.from({ length: 5 }, () => ({ provider: "failing", tool: "fail" })),
    });
    expect(batch.results.every((r) => r.error?.type === "tool_error")).toBe(true);
    expect(gateway.handles.get("failing")!.breaker.state).toBe("closed");
  });

  test("Health checks notice a provider that stops answering and open its circuit", async () => {
    const { clock, gateway } = setup([
      faulty("frozen", {}, { healthCheckIntervalMs: 10_000, maxConsecutiveFailures: 2 }),
    ]);
    const handle = gateway.handles.get("frozen")!;
    expect((await gateway.run({ calls: [{ provider: "frozen", tool: "freeze" }] })).ok).toBe(true);
    for (let check = 1; check <= 2; check++) {
      await clock.advance(10_000); // the ping goes out
      await clock.advance(2_000); // and times out
      await waitFor(() => handle.stats.healthFailures === check, 10_000, `health check ${check} to fail`);
    }
    expect(handle.breaker.state).toBe("open");
  });

  test("Health checks of a healthy provider succeed and record the ping latency", async () => {
    const { clock, gateway } = setup([faulty("fine", {}, { healthCheckIntervalMs: 10_000 })]);
    const handle = gateway.handles.get("fine")!;
    await gateway.run({ calls: [{ provider: "fine", tool: "ok" }] });
    expect(handle.stats.lastPingMs).toBeUndefined();
    await clock.advance(10_000);
    await waitFor(() => handle.stats.healthChecks === 1, 10_000, "one health check");
    expect(handle.stats.healthFailures).toBe(0);
    expect(handle.stats.lastPingMs).toBeNumber();
    expect(handle.breaker.state).toBe("closed");
  });
});
