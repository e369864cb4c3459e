// Observability of the compiled binary: spans exported over OTLP/HTTP from inside `bun build --compile`,
// JSON log lines on stderr that carry batch and call ids, and process metrics that let an idle gateway sleep.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { lines, runHangar, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { startOtlpReceiver } from "../helpers/otlp-receiver.ts";
import { waitFor } from "../helpers/processes.ts";
import { serve } from "../helpers/serve.ts";

const BATCH = JSON.stringify([
  { provider: "demo", tool: "echo", arguments: { message: "a" } },
  { provider: "demo2", tool: "add", arguments: { a: 1, b: 2 } },
]);

describe("dist/hangar observability", () => {
  test("with OTEL_EXPORTER_OTLP_ENDPOINT set, `hangar call` exports its batch, call and upstream spans before it exits, continuing $TRACEPARENT", async () => {
    await using receiver = startOtlpReceiver();
    using box = sandbox();
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, TRACEPARENT: `00-${traceId}-00f067aa0ba902b7-01` };
    const run = await runHangar(["call", "-", "--json"], box.options(env, BATCH));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { batch_id: string };

    // The spans were flushed before the process exited: no waiting needed.
    const [root] = receiver.named("hangar.batch");
    expect(root).toMatchObject({
      traceId,
      parentSpanId: "00f067aa0ba902b7",
      attributes: { "hangar.batch.id": result.batch_id, "hangar.batch.size": 2 },
    });
    expect(root!.resource["service.name"]).toBe("hangar");
    const calls = receiver.named("hangar.call");
    expect(calls.map((span) => span.attributes["hangar.provider"]).sort()).toEqual(["demo", "demo2"]);
    expect(calls.every((span) => span.parentSpanId === root!.spanId)).toBe(true);
    const upstream = receiver.named("mcp tools/call");
    expect(upstream.map((span) => calls.some((call) => call.spanId === span.parentSpanId))).toEqual([true, true]);
    expect(receiver.spans.every((span) => span.traceId === traceId)).toBe(true);
  }, 20_000);

  test("`hangar serve` continues the trace context a client sends in _meta, for hangar_call and for a pass-through call", async () => {
    await using receiver = startOtlpReceiver();
    using box = sandbox();
    const traces = ["11111111111111111111111111111111", "22222222222222222222222222222222"];
    const traceparent = (traceId: string) => `00-${traceId}-00f067aa0ba902b7-01`;
    const session = await serve(box, { env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } });
    await session.client.callTool({
      name: "hangar_call",
      arguments: { calls: [{ provider: "demo", tool: "echo", arguments: { message: "a" } }] },
      _meta: { traceparent: traceparent(traces[0]!) },
    });
    await session.client.callTool({
      name: "demo__echo",
      arguments: { message: "b" },
      _meta: { traceparent: traceparent(traces[1]!) },
    });
    await session[Symbol.asyncDispose]();
    await waitFor(() => receiver.named("hangar.batch").length === 2, 10_000, "both batches' spans");
    expect(
      receiver
        .named("hangar.batch")
        .map((span) => span.traceId)
        .sort(),
    ).toEqual(traces);
    expect(receiver.named("hangar.batch").every((span) => span.parentSpanId === "00f067aa0ba902b7")).toBe(true);
  }, 20_000);

  test("at --log-level debug, stderr has JSON lines with batch_id and call_id", async () => {
    using box = sandbox();
    const run = await runHangar(["call", "-", "--json", "--log-level", "debug"], box.options({}, BATCH));
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { batch_id: string };
    const json = lines(run.stderr)
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const calls = json.filter((line) => line.msg === "call succeeded");
    expect(calls.map((line) => line.call_id).sort()).toEqual([`${result.batch_id}:0`, `${result.batch_id}:1`]);
    expect(
      json.filter((line) => String(line.msg).startsWith("batch ")).every((line) => line.batch_id === result.batch_id),
    ).toBe(true);
  }, 20_000);

  test("an idle `hangar serve --http` (metrics on) lets its main thread sleep: far fewer than 100 wake-ups a second", async () => {
    using box = sandbox();
    await using hangar = await startHttpHangar(box);
    await waitFor(async () => (await fetch(`${hangar.base}/readyz`)).ok, 15_000, "hangar to be ready");
    const pid = hangar.running.proc.pid;
    // Times the main thread went to sleep and was woken (a wake-up each); preemptions are not counted.
    const sleeps = () =>
      Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/task/${pid}/status`, "utf8"))![1]);
    // Idleness is measured over time: the quietest of three one-second windows after the start settled.
    await Bun.sleep(1000);
    const windows: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = sleeps();
      await Bun.sleep(1000);
      windows.push(sleeps() - before);
    }
    // prom-client's default event-loop sampler alone woke it ~100 times a second.
    expect(Math.min(...windows)).toBeLessThan(30);
  }, 30_000);
});
