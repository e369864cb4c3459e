import { afterEach, describe, expect, test } from "bun:test";
import { Gateway } from "../src/gateway/index.ts";
import { silentLogger } from "../src/observability/log.ts";
import { systemSpawner } from "../src/providers/index.ts";
import { LineSplitter, TailBuffer } from "../src/providers/line-splitter.ts";
import { ProcessTransport } from "../src/providers/stdio-transport.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { fixture } from "./helpers/paths.ts";
import { countingSpawner, isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

describe("LineSplitter and TailBuffer", () => {
  test("Lines split across chunks are joined, and CRLF is accepted", () => {
    const splitter = new LineSplitter(100);
    expect(splitter.push(Buffer.from('{"a":'))).toEqual([]);
    expect(splitter.push(Buffer.from('1}\r\n{"b":2}\n{"c"'))).toEqual(['{"a":1}', '{"b":2}']);
    expect(splitter.push(Buffer.from(":3}\n"))).toEqual(['{"c":3}']);
  });

  test("A line longer than the limit is refused even when it arrives in pieces", () => {
    const splitter = new LineSplitter(10);
    splitter.push(Buffer.from("123456"));
    expect(() => splitter.push(Buffer.from("789012"))).toThrow("a line longer than 10 bytes");
    expect(splitter.push(Buffer.from("ok\n"))).toEqual(["ok"]);
  });

  test("The stderr tail keeps only the last bytes", () => {
    const tail = new TailBuffer(8);
    tail.push(Buffer.from("hello "));
    tail.push(Buffer.from("world!"));
    expect(tail.text()).toBe("o world!");
    expect(tail.total).toBe(12);
  });
});

describe("A provider that misbehaves on stdout", () => {
  test("Lines on stdout that are not JSON-RPC are skipped and the calls still succeed", async () => {
    const g = new Gateway(configOf([stdioProvider("noisy", fixture("misbehaving-server.ts"))]));
    open.push(g);
    const batch = await g.run({
      calls: [
        { provider: "noisy", tool: "garbage" },
        { provider: "noisy", tool: "ok" },
      ],
    });
    expect(batch.ok).toBe(true);
    expect(batch.results.map((r) => (r.result as { content: { text: string }[] }).content[0]!.text)).toEqual([
      "after garbage",
      "fine",
    ]);
  });

  test("A 50 MB line (over the 16 MiB limit) fails the provider with a clear error and the process is stopped", async () => {
    const spawner = countingSpawner();
    const g = new Gateway(configOf([stdioProvider("flood", fixture("misbehaving-server.ts"))]), { spawner });
    open.push(g);
    const batch = await g.run({ calls: [{ provider: "flood", tool: "huge" }] });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "transport_error" } });
    expect(batch.results[0]!.error!.message).toBe(
      'Provider "flood" stopped during the call: it wrote a line longer than 16777216 bytes to stdout',
    );
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the flooding provider to be stopped");
    const again = await g.run({ calls: [{ provider: "flood", tool: "ok" }] });
    expect(again.ok).toBe(true);
  });

  test("Issue 9: a provider that closes stdout but keeps running is a crash at once, and the next call restarts it", async () => {
    const spawner = countingSpawner();
    const clock = new FakeClock(); // Never advanced: only the closed stdout can end the call.
    const g = new Gateway(configOf([stdioProvider("mute", fixture("misbehaving-server.ts"))]), { spawner, clock });
    open.push(g);
    const handle = g.handles.get("mute")!;
    const batch = await g.run({ calls: [{ provider: "mute", tool: "close_stdout" }] });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "transport_error" } });
    expect(batch.results[0]!.error!.message).toBe(
      'Provider "mute" stopped during the call: it closed its stdout but kept running',
    );
    expect(handle.stats.crashes).toBe(1);
    await waitFor(() => !isAlive(spawner.pids[0]!), 10_000, "the provider with a closed stdout to be stopped");
    const again = await g.run({ calls: [{ provider: "mute", tool: "ok" }] });
    expect(again.ok).toBe(true);
    expect(spawner.count).toBe(2);
  });

  test("A provider that crashes mid-call is reported with its exit code", async () => {
    const g = new Gateway(configOf([stdioProvider("p", fixture("probe-server.ts"))]));
    open.push(g);
    const batch = await g.run({ calls: [{ provider: "p", tool: "crash" }] });
    expect(batch.results[0]!.error!.message).toBe('Provider "p" stopped during the call: it exited with code 3');
  });
});

describe("The process transport's timers (issue 16 item 10)", () => {
  test("The stdout-end grace and the kill graces run on the injected clock, so a test moves them without sleeping", async () => {
    const clock = new FakeClock();
    const transport = new ProcessTransport({
      spawner: systemSpawner,
      // Closes its stdout, ignores the end of its stdin, and would run for a minute.
      request: {
        providerId: "mute",
        command: "sh",
        args: ["-c", "exec 1>&-; exec sleep 60"],
        env: process.env,
        cwd: undefined,
      },
      logger: silentLogger,
      clock,
    });
    const errors: string[] = [];
    let closed = false;
    transport.onerror = (error) => errors.push(error.message);
    transport.onclose = () => {
      closed = true;
    };
    await transport.start();
    const pid = transport.pid!;
    await waitFor(() => clock.pending > 0, 10_000, "the stdout-end grace to be armed on the clock");
    expect(errors).toEqual([]);
    await clock.advance(499);
    expect(errors).toEqual([]);
    await clock.advance(1);
    expect(errors).toEqual(['Provider "mute" failed: it closed its stdout but kept running']);
    expect(closed).toBe(true);

    // fail() closes politely: stdin first, SIGTERM only once the grace has passed on the clock.
    await waitFor(() => clock.pending > 0, 10_000, "the stdin-close grace to be armed on the clock");
    expect(isAlive(pid)).toBe(true);
    await clock.advance(2_000);
    await waitFor(() => !isAlive(pid), 10_000, "SIGTERM after the grace");
  });
});
