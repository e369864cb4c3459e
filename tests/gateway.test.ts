import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gateway, InvalidBatchError } from "../src/gateway/index.ts";
import { inFlightRecorder } from "./helpers/in-flight.ts";
import { inMemoryDrivers } from "./helpers/in-memory-driver.ts";
import { fixture } from "./helpers/paths.ts";
import { countingSpawner, descendants, isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
function gateway(...args: ConstructorParameters<typeof Gateway>): Gateway {
  const g = new Gateway(...args);
  open.push(g);
  return g;
}
function probeLog(): string {
  const file = join(mkdtempSync(join(tmpdir(), "hangar-probe-")), "log");
  writeFileSync(file, "");
  return file;
}
function probe(id: string, logFile: string, overrides = {}) {
  return stdioProvider(id, fixture("probe-server.ts"), {
    ...overrides,
    transport: {
      kind: "stdio",
      command: fixture("probe-server.ts")[0]!,
      args: fixture("probe-server.ts").slice(1),
      env: { PROBE_LOG: logFile },
      cwd: undefined,
    },
  });
}
/** Demo providers served in memory (issue 16 item 11): for what the gateway decides, where processes are not the point. */
function inMemory(...ids: string[]) {
  return inMemoryDrivers(Object.fromEntries(ids.map((id) => [id, "demo" as const])));
}
const text = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

describe("Gateway batches", () => {
  test("A batch across three providers runs in parallel and returns results in call order", async () => {
    const log = probeLog();
    const recorder = inFlightRecorder();
    const g = gateway(configOf([demoProvider("a"), demoProvider("b"), probe("p", log)]), { recorder });
    const calls = [
      ...["a", "b"].flatMap((provider) => [1, 2, 3].map(() => ({ provider, tool: "sleep", arguments: { ms: 400 } }))),
      { provider: "p", tool: "echo", arguments: { text: "hi" }, id: "last" },
    ];
    const batch = await g.run({ calls });
    expect(batch.ok).toBe(true);
    expect(batch.total).toBe(7);
    expect(batch.succeeded).toBe(7);
    expect(batch.results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(batch.results.map((r) => r.provider)).toEqual(["a", "a", "a", "b", "b", "b", "p"]);
    expect(text(batch.results[0]!.result)).toBe("slept 400 ms");
    expect(batch.results[6]).toMatchObject({ id: "last", ok: true, attempts: 1 });
    expect(text(batch.results[6]!.result)).toBe("hi");
    // The three sleeps of each provider were in flight at once, not one after another.
    expect(recorder.peak.get("a")).toBe(3);
    expect(recorder.peak.get("b")).toBe(3);
    expect(batch.batch_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("A tool error fails only its call and keeps the provider's content", async () => {
    const g = gateway(configOf([demoProvider("demo")]), { driverFor: inMemory("demo").driverFor });
    const batch = await g.run({
      calls: [
        { provider: "demo", tool: "fail", arguments: { message: "disk on fire" } },
        { provider: "demo", tool: "add", arguments: { a: 2, b: 3 } },
      ],
    });
    expect(batch).toMatchObject({ ok: false, total: 2, succeeded: 1, failed: 1 });
    const [failed, added] = batch.results;
    expect(failed).toMatchObject({
      ok: false,
      error: { type: "tool_error", message: "disk on fire", retryable: false },
    });
    expect(failed!.result).toMatchObject({ isError: true, content: [{ type: "text", text: "disk on fire" }] });
    expect(added).toMatchObject({ ok: true, result: { structuredContent: { sum: 5 } } });
  });

  test("Unknown provider, unknown tool and invalid arguments each fail alone with their type", async () => {
    const { driverFor, drivers } = inMemory("demo");
    const g = gateway(configOf([demoProvider("demo")]), { driverFor });
    const batch = await g.run({
      calls: [
        { provider: "dmeo", tool: "echo", arguments: { message: "x" } },
        { provider: "demo", tool: "ecko", arguments: { message: "x" } },
        { provider: "demo", tool: "add", arguments: { a: "two", b: 3 } },
        { provider: "demo", tool: "echo", arguments: { message: "still here" } },
      ],
    });
    const [provider, tool, args, ok] = batch.results;
    expect(provider).toMatchObject({ ok: false, attempts: 0, error: { type: "unknown_provider" } });
    expect(provider!.error!.message).toContain('Did you mean "demo"?');
    expect(tool).toMatchObject({ ok: false, attempts: 0, error: { type: "unknown_tool" } });
    expect(tool!.error!.message).toContain('Did you mean "echo"?');
    expect(args).toMatchObject({ ok: false, attempts: 0, error: { type: "invalid_arguments" } });
    expect(args!.error!.message).toContain("arguments.a must be number");
    expect(ok).toMatchObject({ ok: true });
    expect(drivers.get("demo")!.connects).toBe(1);
  });

  test("Tools outside a provider's allow/deny globs are denied without starting it", async () => {
    const spawner = countingSpawner();
    const g = gateway(configOf([demoProvider("demo", { tools: { allow: ["e*", "sleep"], deny: ["sleep"] } })]), {
      spawner,
    });
    const batch = await g.run({
      calls: [
        { provider: "demo", tool: "sleep", arguments: { ms: 1 } },
        { provider: "demo", tool: "add", arguments: { a: 1, b: 1 } },
      ],
    });
    expect(batch.results.map((r) => r.error?.type)).toEqual(["denied", "denied"]);
    expect(spawner.count).toBe(0);
  });

  test("A malformed request is rejected whole and nothing runs", () => {
    const g = gateway(configOf([demoProvider("demo")], { maxBatchSize: 2 }));
    expect(() => g.stream({ calls: "nope" })).toThrow(InvalidBatchError);
    expect(() => g.stream({ calls: [] })).toThrow(InvalidBatchError);
    expect(() => g.stream({ calls: [{ provider: "demo" }] })).toThrow(/calls\.0\.tool/);
    expect(() => g.stream({ calls: [{ provider: "demo", tool: "echo", extra: 1 }] })).toThrow(InvalidBatchError);
    const three = [1, 2, 3].map(() => ({ provider: "demo", tool: "echo", arguments: { message: "x" } }));
    expect(() => g.stream({ calls: three })).toThrow(/has 3 calls and the limit is 2 \(max_batch_size\)/);
  });
});

describe("Gateway deadlines and cancellation", () => {
  test("A call past its timeout ends with timeout and notifications/cancelled reaches the provider", async () => {
    const log = probeLog();
    const g = gateway(configOf([probe("p", log)]));
    // Started first, so that the deadline (counted from the batch's start) cannot pass during a slow start.
    await g.handles.get("p")!.ensureReady(AbortSignal.timeout(10_000));
    const batch = await g.run({
      calls: [
        { provider: "p", tool: "wait", timeout_s: 0.5 },
        { provider: "p", tool: "echo", arguments: { text: "fine" } },
      ],
    });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "timeout" } });
    expect(batch.results[0]!.error!.message).toContain("timed out after 0.5 s");
    expect(batch.results[1]).toMatchObject({ ok: true });
    await waitFor(() => readFileSync(log, "utf8").includes("cancelled"), 5_000, "the provider to see the cancellation");
  });

  test("Aborting the batch signal cancels every running call upstream", async () => {
    const log = probeLog();
    const g = gateway(configOf([probe("p", log)]));
    const controller = new AbortController();
    const running = g.run(
      { calls: [1, 2, 3].map(() => ({ provider: "p", tool: "wait" })) },
      { signal: controller.signal },
    );
    const lines = (prefix: string) =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter((l) => l.startsWith(prefix)).length;
    await waitFor(() => lines("waiting") === 3, 10_000, "three calls waiting in the provider");
    controller.abort();
    const batch = await running;
    expect(batch.results.every((r) => r.error?.type === "cancelled")).toBe(true);
    await waitFor(() => lines("cancelled") === 3, 5_000, "three cancellations upstream");
  });

  test("fail_fast cancels the calls still running once one fails", async () => {
    const log = probeLog();
    const g = gateway(configOf([probe("p", log), demoProvider("demo")]));
    const batch = await g.run({
      fail_fast: true,
      calls: [
        { provider: "p", tool: "wait" },
        { provider: "demo", tool: "fail" },
      ],
    });
    expect(batch.results[1]).toMatchObject({ ok: false, error: { type: "tool_error" } });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "cancelled" } });
    expect(batch.results[0]!.error!.message).toContain("fail_fast");
  });

  test("A batch timeout ends every call still running", async () => {
    const log = probeLog();
    const g = gateway(configOf([probe("p", log)]));
    const batch = await g.run({
      timeout_s: 0.5,
      calls: [
        { provider: "p", tool: "wait" },
        { provider: "p", tool: "wait" },
      ],
    });
    expect(batch.results.map((r) => r.error?.type)).toEqual(["timeout", "timeout"]);
    expect(batch.results[0]!.error!.message).toContain("batch timed out");
  });
});

describe("Gateway pool", () => {
  test("50 concurrent calls to a cold provider start it exactly once", async () => {
    const { driverFor, drivers } = inMemory("demo");
    const g = gateway(configOf([demoProvider("demo", { maxConcurrency: 64 })]), { driverFor });
    const calls = Array.from({ length: 50 }, (_, i) => ({
      provider: "demo",
      tool: "echo",
      arguments: { message: String(i) },
    }));
    const batch = await g.run({ calls });
    expect(batch.succeeded).toBe(50);
    expect(drivers.get("demo")!.connects).toBe(1);
    expect(g.handles.get("demo")!.stats.starts).toBe(1);
  });

  test("A provider with max_concurrency 1 runs its calls one at a time", async () => {
    const recorder = inFlightRecorder();
    const g = gateway(configOf([demoProvider("serial", { maxConcurrency: 1 })]), {
      recorder,
      driverFor: inMemory("serial").driverFor,
    });
    const stream = g.stream({
      calls: [1, 2, 3, 4].map(() => ({ provider: "serial", tool: "sleep", arguments: { ms: 50 } })),
    });
    let done = 0;
    for await (const r of stream.results) if (r.ok) done++;
    expect(done).toBe(4);
    expect(recorder.peak.get("serial")).toBe(1);
  });

  test("A batch's own max_concurrency holds back only its own calls: no provider or global permit is held while they wait (issue 9 item 10)", async () => {
    const g = gateway(
      configOf([demoProvider("slow", { maxConcurrency: 4 }), demoProvider("other")], { maxConcurrency: 2 }),
      { driverFor: inMemory("slow", "other").driverFor },
    );
    expect((await g.run({ calls: [{ provider: "other", tool: "echo", arguments: { message: "warm" } }] })).ok).toBe(
      true,
    );
    const sleep = { provider: "slow", tool: "sleep", arguments: { ms: 300 } };
    const batch = g.stream({ calls: [sleep, sleep, sleep, sleep], max_concurrency: 1 });
    const finished: number[] = [];
    const drained = (async () => {
      for await (const result of batch.results) finished.push(result.index);
    })();
    await waitFor(() => g.handles.get("slow")!.active === 1, 10_000, "the batch's first call to run");
    expect(g.load("slow")).toEqual({ inFlight: 1, queued: 0 });

    const unrelated = await g.run({
      calls: [{ provider: "other", tool: "echo", arguments: { message: "not starved" } }],
    });
    expect(unrelated.ok).toBe(true);
    expect(finished.length).toBeLessThanOrEqual(1); // it did not wait for the batch's calls
    await drained;
    expect(finished.length).toBe(4);
  });

  test("tools/list is read across every page", async () => {
    const g = gateway(configOf([probe("p", probeLog())]));
    const tools = await g.handles.get("p")!.ensureReady(AbortSignal.timeout(10_000));
    expect(tools.map((t) => t.name)).toEqual([
      "echo",
      "wait",
      "crash",
      "progress",
      "grandchild",
      "log",
      "sample",
      "confide",
      "confide_later",
      "add_tool",
    ]);
  });

  test("A provider that crashes mid-call fails that call with transport_error and the next call restarts it", async () => {
    const spawner = countingSpawner();
    const g = gateway(configOf([probe("p", probeLog())]), { spawner });
    const crashed = await g.run({ calls: [{ provider: "p", tool: "crash" }] });
    expect(crashed.results[0]).toMatchObject({ ok: false, error: { type: "transport_error" } });
    await waitFor(() => g.handles.get("p")!.state === "failed", 5_000, "the crash to be noticed");
    const after = await g.run({ calls: [{ provider: "p", tool: "echo", arguments: { text: "back" } }] });
    expect(after.results[0]).toMatchObject({ ok: true });
    expect(spawner.count).toBe(2);
  });

  test("A command that is not on PATH fails with provider_unavailable naming the command", async () => {
    const g = gateway(configOf([stdioProvider("ghost", ["no-such-command-hangar"])]));
    const batch = await g.run({ calls: [{ provider: "ghost", tool: "x" }] });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "provider_unavailable" } });
    expect(batch.results[0]!.error!.message).toBe(
      'Cannot start provider "ghost": command "no-such-command-hangar" not found on PATH',
    );
  });

  test("Closing the gateway kills each provider's whole process group", async () => {
    const spawner = countingSpawner();
    const g = gateway(configOf([probe("p", probeLog())]), { spawner });
    const batch = await g.run({ calls: [{ provider: "p", tool: "grandchild" }] });
    const grandchild = Number(text(batch.results[0]!.result));
    const child = spawner.pids[0]!;
    expect(isAlive(child)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);
    await g.close();
    await waitFor(() => !isAlive(child) && !isAlive(grandchild), 10_000, "the provider and its grandchild to exit");
    expect(descendants(process.pid).filter((pid) => pid === child || pid === grandchild)).toEqual([]);
  });
});
