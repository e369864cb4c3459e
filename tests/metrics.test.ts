import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway, type GatewayDeps } from "../src/gateway/index.ts";
import { createLogger } from "../src/observability/log.ts";
import { createMetrics, type Metrics } from "../src/observability/metrics.ts";
import { openObservability } from "../src/observability/open-observability.ts";
import { noopRecorder } from "../src/observability/recorder.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { demoInMemory } from "./helpers/in-memory-driver.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

/**
 * A gateway over `providers` recording into fresh metrics (process metrics off, to keep scrapes small); the
 * demo providers run in memory (what is counted does not depend on a process), the fixtures as processes.
 */
function setup(providers: ResolvedProvider[], deps: GatewayDeps = {}): { gateway: Gateway; metrics: Metrics } {
  const metrics = createMetrics({ processMetrics: false });
  const gateway = new Gateway(configOf(providers), {
    driverFor: demoInMemory(),
    ...deps,
    recorder: metrics.recorder,
  });
  metrics.watch(gateway);
  open.push(gateway);
  return { gateway, metrics };
}

function faulty(id: string, env: Record<string, string>, overrides: Partial<ResolvedProvider> = {}): ResolvedProvider {
  const [command, ...args] = fixture("faulty-server.ts");
  return stdioProvider(id, [command!, ...args], {
    ...overrides,
    transport: { kind: "stdio", command: command!, args, env, cwd: undefined },
  });
}

/** The value of one sample in Prometheus text, or undefined when it is absent. */
async function sample(
  metrics: Metrics,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const text = await metrics.text();
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const echo = (provider: string, message = "x") => ({ provider, tool: "echo", arguments: { message } });

describe("Metrics", () => {
  test("A batch counts its calls by provider, tool and outcome, its size and latency, and the provider's cold start", async () => {
    const { gateway, metrics } = setup([demoProvider("demo")]);
    expect(await sample(metrics, "hangar_provider_state", { provider: "demo", state: "cold" })).toBe(1);
    const batch = await gateway.run({
      calls: [echo("demo"), echo("demo"), { provider: "demo", tool: "fail", arguments: { message: "no" } }],
    });
    expect(batch.failed).toBe(1);

    expect(await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "echo", outcome: "ok" })).toBe(2);
    expect(await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "fail", outcome: "tool_error" })).toBe(
      1,
    );
    expect(await sample(metrics, "hangar_call_duration_seconds_count", { provider: "demo", tool: "echo" })).toBe(2);
    expect(await sample(metrics, "hangar_batch_size_count")).toBe(1);
    expect(await sample(metrics, "hangar_batch_size_sum")).toBe(3);
    expect(await sample(metrics, "hangar_batch_duration_seconds_count")).toBe(1);
    expect(await sample(metrics, "hangar_batch_duration_seconds_sum")).toBeCloseTo(batch.elapsed_ms / 1000, 1);
    expect(await sample(metrics, "hangar_provider_starts_total", { provider: "demo", outcome: "ok" })).toBe(1);
    expect(await sample(metrics, "hangar_provider_start_duration_seconds_count", { provider: "demo" })).toBe(1);
    expect(await sample(metrics, "hangar_provider_state", { provider: "demo", state: "ready" })).toBe(1);
    expect(await sample(metrics, "hangar_provider_state", { provider: "demo", state: "cold" })).toBe(0);
    expect(await sample(metrics, "hangar_breaker_state", { provider: "demo" })).toBe(0);

    await gateway.run({ calls: [echo("demo")] });
    expect(await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "echo", outcome: "ok" })).toBe(3);
    expect(await sample(metrics, "hangar_provider_starts_total", { provider: "demo", outcome: "ok" })).toBe(1);
  });

  test("A single call made by name (a client's own tools/call passed through) counts as a call, not as a batch", async () => {
    const { gateway, metrics } = setup([demoProvider("demo")]);
    const batch = await gateway.run({ calls: [echo("demo")] });
    const one = await gateway.callOne(echo("demo"));
    expect(one.ok).toBe(true);
    const unknown = await gateway.callOne({ provider: "demo", tool: "nope", arguments: {} });
    expect(unknown.error?.type).toBe("unknown_tool");

    expect(await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "echo", outcome: "ok" })).toBe(2);
    expect(await sample(metrics, "hangar_call_duration_seconds_count", { provider: "demo", tool: "echo" })).toBe(2);
    // A tool the provider did not list is labelled "(unknown)", as in a batch.
    expect(
      await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "(unknown)", outcome: "unknown_tool" }),
    ).toBe(1);
    // Only the batch is a batch.
    expect(await sample(metrics, "hangar_batch_size_count")).toBe(1);
    expect(await sample(metrics, "hangar_batch_duration_seconds_count")).toBe(1);
    // The duration histogram's buckets are cumulative up to +Inf, which holds every call, as its _count.
    const echoes = { provider: "demo", tool: "echo" };
    const buckets = await Promise.all(
      [
        "0.001",
        "0.0025",
        "0.005",
        "0.01",
        "0.025",
        "0.05",
        "0.1",
        "0.25",
        "0.5",
        "1",
        "2.5",
        "5",
        "10",
        "30",
        "60",
        "+Inf",
      ].map((le) => sample(metrics, "hangar_call_duration_seconds_bucket", { ...echoes, le })),
    );
    expect(buckets.every((count, i) => count !== undefined && (i === 0 || count >= buckets[i - 1]!))).toBe(true);
    expect(buckets.at(-1)).toBe(2);
    expect(buckets.at(-2)).toBe(2);
    expect(await sample(metrics, "hangar_call_duration_seconds_sum", echoes)).toBeCloseTo(
      (batch.results[0]!.elapsed_ms + one.elapsed_ms) / 1000,
      6,
    );
    // The registry's reset empties them as it empties prom-client's own; they count again afterwards.
    metrics.registry.resetMetrics();
    expect(await sample(metrics, "hangar_calls_total", { ...echoes, outcome: "ok" })).toBeUndefined();
    expect(await sample(metrics, "hangar_call_duration_seconds_count", echoes)).toBeUndefined();
    await gateway.callOne(echo("demo"));
    expect(await sample(metrics, "hangar_calls_total", { ...echoes, outcome: "ok" })).toBe(1);
    expect(await sample(metrics, "hangar_call_duration_seconds_count", echoes)).toBe(1);
  });

  test("In-flight and queued gauges show a busy serial provider while its batch runs, and drop to 0 after", async () => {
    const { gateway, metrics } = setup([demoProvider("serial", { maxConcurrency: 1 })]);
    const sleep = { provider: "serial", tool: "sleep", arguments: { ms: 150 } };
    const running = gateway.run({ calls: [sleep, sleep, sleep] });
    await waitFor(
      async () =>
        (await sample(metrics, "hangar_calls_in_flight", { provider: "serial" })) === 1 &&
        (await sample(metrics, "hangar_calls_queued", { provider: "serial" })) === 2,
      10_000,
      "one call in flight and two queued",
    );
    expect((await running).ok).toBe(true);
    expect(await sample(metrics, "hangar_calls_in_flight", { provider: "serial" })).toBe(0);
    expect(await sample(metrics, "hangar_calls_queued", { provider: "serial" })).toBe(0);
  });

  test("A provider that fails to start counts a failed start; once its circuit opens, calls count as breaker rejections", async () => {
    const { gateway, metrics } = setup([
      faulty("broken", { FAULT_CRASH_AT_START: "1" }, { maxConsecutiveFailures: 1 }),
      demoProvider("demo"),
    ]);
    const first = await gateway.run({ calls: [{ provider: "broken", tool: "ok" }] });
    expect(first.results[0]!.error!.type).toBe("provider_unavailable");
    expect(await sample(metrics, "hangar_provider_starts_total", { provider: "broken", outcome: "failed" })).toBe(1);
    expect(await sample(metrics, "hangar_provider_state", { provider: "broken", state: "failed" })).toBe(1);
    expect(await sample(metrics, "hangar_breaker_state", { provider: "broken" })).toBe(2);

    const rejected = await gateway.run({
      calls: [
        { provider: "broken", tool: "ok" },
        { provider: "broken", tool: "ok" },
      ],
    });
    expect(rejected.results.map((r) => r.error?.type)).toEqual(["circuit_open", "circuit_open"]);
    expect(await sample(metrics, "hangar_breaker_rejections_total", { provider: "broken" })).toBe(2);
    // "ok" was never listed (the provider never started), so it is no label value.
    expect(
      await sample(metrics, "hangar_calls_total", { provider: "broken", tool: "(unknown)", outcome: "circuit_open" }),
    ).toBe(2);
    expect(await sample(metrics, "hangar_breaker_state", { provider: "demo" })).toBe(0);
  });

  test("A provider that crashes mid-call counts a crash, and the start that follows counts as another start", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "hangar-metrics-")), "crashed");
    const { gateway, metrics } = setup([faulty("crashy", { FAULT_CRASH_ONCE: marker })]);
    const crashed = await gateway.run({ calls: [{ provider: "crashy", tool: "write" }] });
    expect(crashed.results[0]!.error!.type).toBe("transport_error");
    await waitFor(
      async () => (await sample(metrics, "hangar_provider_crashes_total", { provider: "crashy" })) === 1,
      10_000,
      "the crash to be counted",
    );
    const again = await gateway.run({ calls: [{ provider: "crashy", tool: "write" }] });
    expect(again.ok).toBe(true);
    expect(await sample(metrics, "hangar_provider_starts_total", { provider: "crashy", outcome: "ok" })).toBe(2);
  });

  test("Health checks are counted by result", async () => {
    const clock = new FakeClock();
    const { gateway, metrics } = setup([faulty("fine", {}, { healthCheckIntervalMs: 10_000 })], { clock });
    await gateway.run({ calls: [{ provider: "fine", tool: "ok" }] });
    await clock.advance(10_000);
    await waitFor(
      async () => (await sample(metrics, "hangar_health_checks_total", { provider: "fine", result: "ok" })) === 1,
      10_000,
      "one health check",
    );
    expect(await sample(metrics, "hangar_health_checks_total", { provider: "fine", result: "failed" })).toBeUndefined();
  });

  test("Provider and tool names a caller made up are counted as (unknown), so callers cannot add series", async () => {
    const { gateway, metrics } = setup([demoProvider("demo")]);
    await gateway.run({
      calls: [
        { provider: "made-up-1", tool: "x" },
        { provider: "made-up-2", tool: "y" },
        { provider: "demo", tool: "made-up-tool" },
      ],
    });
    expect(
      await sample(metrics, "hangar_calls_total", {
        provider: "(unknown)",
        tool: "(unknown)",
        outcome: "unknown_provider",
      }),
    ).toBe(2);
    expect(
      await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "(unknown)", outcome: "unknown_tool" }),
    ).toBe(1);
    expect(await metrics.text()).not.toContain("made-up");
  });

  test("Tool names outside the provider's listed catalog are (unknown) whatever the outcome: 500 made-up names add no series (issue 9 item 20)", async () => {
    const { gateway, metrics } = setup([
      demoProvider("demo", { tools: { allow: [], deny: ["secret_*"] } }),
      faulty("broken", { FAULT_CRASH_AT_START: "1" }),
    ]);
    expect((await gateway.run({ calls: [echo("demo")] })).ok).toBe(true);
    const made = () => crypto.randomUUID().slice(0, 8);
    const batch = await gateway.run({
      calls: [
        ...Array.from({ length: 200 }, () => ({ provider: "demo", tool: `secret_${made()}` })),
        ...Array.from({ length: 200 }, () => ({ provider: "broken", tool: `made_${made()}` })),
        ...Array.from({ length: 99 }, () => ({ provider: "demo", tool: `made_${made()}` })),
        echo("demo"),
      ],
    });
    const types = batch.results.map((r) => r.error?.type);
    expect(types.filter((t) => t === "denied")).toHaveLength(200);
    expect(types.filter((t) => t === "unknown_tool")).toHaveLength(99);
    expect(types.slice(200, 400).every((t) => t === "provider_unavailable" || t === "circuit_open")).toBe(true);
    const text = await metrics.text();
    expect(text).not.toContain("secret_");
    expect(text).not.toContain("made_");
    const series = text.split("\n").filter((line) => line.startsWith("hangar_calls_total{"));
    expect(series.length).toBeLessThanOrEqual(5);
    expect(
      await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "(unknown)", outcome: "denied" }),
    ).toBe(200);
    expect(await sample(metrics, "hangar_calls_total", { provider: "demo", tool: "echo", outcome: "ok" })).toBe(2);
  });

  test("Each metrics object has its own registry, and text() is Prometheus text with process metrics", async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.recorder.providerCrashed("p");
    expect(a.contentType).toStartWith("text/plain; version=0.0.4");
    const text = await a.text();
    expect(text).toContain('hangar_provider_crashes_total{provider="p"} 1');
    expect(text).toContain("# TYPE hangar_process_cpu_seconds_total counter");
    expect(text).toContain("hangar_process_resident_memory_bytes");
    expect(await b.text()).not.toContain('hangar_provider_crashes_total{provider="p"}');
  });
});

describe("The recorder on the call path (issue 18)", () => {
  test("Without metrics, traces or info logs (stdio serve's default) the gateway gets noopRecorder and records nothing", async () => {
    const observability = await openObservability({ logger: createLogger({ level: "warn" }), env: {} });
    expect(observability.recorder).toBe(noopRecorder);
    expect(observability.metrics).toBeUndefined();
    const counted = await openObservability({ logger: createLogger({ level: "warn" }), metrics: true, env: {} });
    expect(counted.recorder).toBe(counted.metrics!.recorder);
  });
});
