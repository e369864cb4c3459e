import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gateway } from "../src/gateway/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { fixture, HANGAR } from "./helpers/paths.ts";
import { countingSpawner, isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

function setup(providers: Parameters<typeof configOf>[0]) {
  const clock = new FakeClock();
  const spawner = countingSpawner();
  const gateway = new Gateway(configOf(providers), { clock, spawner });
  open.push(gateway);
  return { clock, spawner, gateway };
}

const echo = { provider: "demo", tool: "echo", arguments: { message: "hi" } };

describe("Provider lifecycle", () => {
  test("An idle provider stops after idle_ttl_s and starts again on the next call", async () => {
    const { clock, spawner, gateway } = setup([demoProvider("demo", { idleTtlMs: 60_000 })]);
    const handle = gateway.handles.get("demo")!;
    expect(handle.state).toBe("cold");
    expect((await gateway.run({ calls: [echo] })).ok).toBe(true);
    expect(handle.state).toBe("ready");
    const pid = spawner.pids[0]!;

    await clock.advance(59_999);
    expect(handle.state).toBe("ready");
    await clock.advance(1);
    await waitFor(() => handle.state === "stopped" && !isAlive(pid), 10_000, "the idle provider to stop");

    expect((await gateway.run({ calls: [echo] })).ok).toBe(true);
    expect(spawner.count).toBe(2);
    expect(handle.stats.starts).toBe(2);
  });

  test("The idle timer does not run while a call is in flight", async () => {
    const { clock, gateway } = setup([demoProvider("demo", { idleTtlMs: 1_000, callTimeoutMs: 3_600_000 })]);
    const handle = gateway.handles.get("demo")!;
    const controller = new AbortController();
    const running = gateway.run(
      { calls: [{ provider: "demo", tool: "sleep", arguments: { ms: 600_000 } }] },
      { signal: controller.signal },
    );
    await waitFor(() => handle.active === 1 && handle.state === "ready", 10_000, "the call to be in flight");
    await clock.advance(10_000);
    expect(handle.state).toBe("ready");
    controller.abort();
    await running;
    await clock.advance(999);
    expect(handle.state).toBe("ready");
    await clock.advance(1);
    await waitFor(() => handle.state === "stopped", 10_000, "the provider to stop once idle");
  });

  test("idle_ttl_s 0 keeps a provider running", async () => {
    const { clock, gateway } = setup([demoProvider("demo", { idleTtlMs: 0 })]);
    await gateway.run({ calls: [echo] });
    await clock.advance(24 * 3_600_000);
    expect(gateway.handles.get("demo")!.state).toBe("ready");
    expect(clock.pending).toBe(0);
  });

  test("Concurrent callers of a provider that never initializes share one start and one startup timeout", async () => {
    const { clock, spawner, gateway } = setup([
      stdioProvider("mute", fixture("silent-server.ts"), { startupTimeoutMs: 5_000 }),
    ]);
    const calls = Array.from({ length: 5 }, () => ({ provider: "mute", tool: "anything" }));
    const running = gateway.run({ calls });
    await waitFor(() => spawner.count === 1, 10_000, "the provider to be spawned");
    await clock.advance(5_000);
    const batch = await running;
    expect(batch.results.map((r) => r.error?.type)).toEqual(Array(5).fill("provider_unavailable"));
    expect(batch.results[0]!.error!.message).toBe(
      'Provider "mute" did not start within 5 s; if it is only slow (a first `npx` or `uvx` download), raise its `startup_timeout_s`',
    );
    expect(spawner.count).toBe(1);
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the silent provider to be killed");
  });
});

describe("Issue 9: starts nobody waits for, and stops", () => {
  test("A start that no call waits for any more is abandoned and its process killed at once", async () => {
    const { spawner, gateway } = setup([stdioProvider("mute", fixture("silent-server.ts"))]);
    const handle = gateway.handles.get("mute")!;
    const controller = new AbortController();
    const running = gateway.run({ calls: [{ provider: "mute", tool: "anything" }] }, { signal: controller.signal });
    await waitFor(() => spawner.count === 1, 10_000, "the provider to be spawned");
    controller.abort();
    expect((await running).results[0]!.error!.type).toBe("cancelled");
    // The fake clock never reaches the startup timeout: only abandoning the start can end the process.
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the abandoned start's process to be killed");
    await waitFor(() => handle.state === "stopped", 10_000, "the handle to forget the start");
    expect(handle.stats.failedStarts).toBe(0);
  });

  test("A start still wanted by one caller goes on when another caller leaves", async () => {
    const { clock, spawner, gateway } = setup([demoProvider("demo")]);
    const handle = gateway.handles.get("demo")!;
    const leaving = new AbortController();
    const left = handle.ensureReady(leaving.signal);
    const staying = handle.ensureReady(new AbortController().signal);
    leaving.abort();
    await expect(left).rejects.toThrow();
    expect((await staying).length).toBeGreaterThan(0);
    expect(handle.state).toBe("ready");
    expect(spawner.count).toBe(1);
    await clock.advance(0);
  });

  test("A caller arriving after a start was abandoned starts the provider afresh", async () => {
    // The first process never answers (the demo provider answers within milliseconds now, issue 11, and
    // its start could end before the caller leaves); every later one is the demo provider.
    const dir = mkdtempSync(join(tmpdir(), "hangar-pool-"));
    const first = join(dir, "first-started");
    const script = 'if [ -e "$0" ]; then exec "$@"; fi; : > "$0"; exec sleep 600';
    const { spawner, gateway } = setup([
      stdioProvider("demo", ["/bin/sh", "-c", script, first, ...HANGAR, "demo-provider", "--name", "demo"]),
    ]);
    const handle = gateway.handles.get("demo")!;
    const leaving = new AbortController();
    const left = handle.ensureReady(leaving.signal);
    await waitFor(() => spawner.count === 1, 10_000, "the first process to be spawned");
    leaving.abort();
    await expect(left).rejects.toThrow();
    expect((await handle.ensureReady(new AbortController().signal)).length).toBeGreaterThan(0);
    expect(handle.state).toBe("ready");
    expect(spawner.count).toBe(2);
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the abandoned start's process to be killed");
    rmSync(dir, { recursive: true, force: true });
  });

  test("stop() during a start aborts it and leaves no timer armed", async () => {
    // A provider that never answers: the demo provider now answers within milliseconds (issue 11).
    const { clock, spawner, gateway } = setup([
      stdioProvider("demo", fixture("silent-server.ts"), { healthCheckIntervalMs: 10_000 }),
    ]);
    const handle = gateway.handles.get("demo")!;
    const starting = handle.ensureReady(new AbortController().signal);
    await waitFor(() => spawner.count === 1, 10_000, "the provider to be spawned");
    expect(handle.state).toBe("starting");
    await handle.stop();
    await expect(starting).rejects.toThrow('Provider "demo" was stopped before it started');
    expect(handle.state).toBe("stopped");
    expect(clock.pending).toBe(0);
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the provider to be killed");
    await clock.advance(60_000);
    expect(handle.stats.healthChecks).toBe(0);
    expect(spawner.count).toBe(1);
  });

  test("stop() waits for the calls running on the provider and never cuts them", async () => {
    const { spawner, gateway } = setup([demoProvider("demo")]);
    const handle = gateway.handles.get("demo")!;
    const running = gateway.run({ calls: [{ provider: "demo", tool: "sleep", arguments: { ms: 300 } }] });
    await waitFor(() => handle.active === 1 && handle.state === "ready", 10_000, "the call to be in flight");
    const stopped = handle.stop();
    expect(handle.state).toBe("draining");
    const batch = await running;
    expect(batch.results[0]).toMatchObject({ ok: true, result: { content: [{ type: "text", text: "slept 300 ms" }] } });
    await stopped;
    expect(handle.state).toBe("stopped");
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the provider to stop once its call is done");
  });

  test("A call arriving while a provider drains waits for the stop, then starts it afresh", async () => {
    const { spawner, gateway } = setup([demoProvider("demo")]);
    const handle = gateway.handles.get("demo")!;
    const running = gateway.run({ calls: [{ provider: "demo", tool: "sleep", arguments: { ms: 300 } }] });
    await waitFor(() => handle.active === 1 && handle.state === "ready", 10_000, "the call to be in flight");
    const stopped = handle.stop();
    const later = gateway.run({ calls: [echo] });
    expect((await running).ok).toBe(true);
    await stopped;
    expect((await later).ok).toBe(true);
    expect(spawner.count).toBe(2);
    expect(handle.state).toBe("ready");
  });
});
