import { afterEach, describe, expect, test } from "bun:test";
import { Gateway } from "../src/gateway/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { fixture } from "./helpers/paths.ts";
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
    expect(batch.results[0]!.error!.message).toBe('Provider "mute" did not start within 5 s');
    expect(spawner.count).toBe(1);
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the silent provider to be killed");
  });
});
