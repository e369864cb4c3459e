import { afterEach, describe, expect, test } from "bun:test";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { tracesEndpoint } from "../src/observability/otel-env.ts";
import { parseTraceparent } from "../src/observability/trace-context.ts";
import { createTracing, type Tracing } from "../src/observability/tracing.ts";
import { httpProvider, startFixtureServer } from "./helpers/http.ts";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./helpers/otlp-receiver.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

/** A gateway over `providers` whose spans go over OTLP/HTTP to `receiver`. */
function setup(receiver: OtlpReceiver, providers: ResolvedProvider[]): { gateway: Gateway; tracing: Tracing } {
  const tracing = createTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint } })!;
  const gateway = new Gateway(configOf(providers), { recorder: tracing.recorder });
  open.push(gateway);
  return { gateway, tracing };
}

const metaProvider = (id: string) => stdioProvider(id, fixture("meta-server.ts"));
const metaOf = (result: unknown) =>
  JSON.parse((result as { content: { text: string }[] }).content[0]!.text) as Record<string, string>;
const childrenOf = (spans: readonly ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((span) => span.parentSpanId === parent.spanId);

describe("Tracing", () => {
  test("A batch's spans reach an OTLP/HTTP receiver as batch → call → upstream request, with their attributes", async () => {
    await using receiver = startOtlpReceiver();
    const { gateway } = setup(receiver, [demoProvider("demo")]);
    const batch = await gateway.run({
      calls: [
        { provider: "demo", tool: "echo", arguments: { message: "a" }, id: "first" },
        { provider: "demo", tool: "fail", arguments: { message: "no" } },
        { provider: "nowhere", tool: "echo" },
      ],
    });
    await gateway.close(); // flushes
    await waitFor(() => receiver.named("hangar.batch").length === 1, 5_000, "the batch span");

    expect(receiver.contentTypes[0]).toBe("application/json");
    const [root] = receiver.named("hangar.batch");
    expect(root!.parentSpanId).toBeUndefined();
    expect(root!.resource["service.name"]).toBe("hangar");
    expect(root!.attributes).toMatchObject({
      "hangar.batch.id": batch.batch_id,
      "hangar.batch.size": 3,
      "hangar.batch.failed": 2,
    });

    const calls = childrenOf(receiver.spans, root!).sort(
      (a, b) => Number(a.attributes["hangar.call.index"]) - Number(b.attributes["hangar.call.index"]),
    );
    expect(calls.map((span) => span.name)).toEqual(["hangar.call", "hangar.call", "hangar.call"]);
    expect(calls.every((span) => span.traceId === root!.traceId)).toBe(true);
    expect(calls[0]!.attributes).toMatchObject({
      "hangar.call_id": `${batch.batch_id}:0`,
      "hangar.provider": "demo",
      "hangar.tool": "echo",
      "hangar.call.label": "first",
      "hangar.outcome": "ok",
      "hangar.attempts": 1,
    });
    expect(calls[1]!.attributes).toMatchObject({ "hangar.outcome": "tool_error", "error.type": "tool_error" });
    expect(calls[1]!.status.code).toBe(2); // ERROR
    expect(calls[2]!.attributes).toMatchObject({ "hangar.outcome": "unknown_provider", "hangar.attempts": 0 });

    const upstream = childrenOf(receiver.spans, calls[0]!);
    expect(upstream.map((span) => span.name)).toEqual(["mcp tools/call"]);
    expect(upstream[0]!.kind).toBe(3); // CLIENT
    expect(upstream[0]!.attributes).toMatchObject({
      "mcp.method.name": "tools/call",
      "gen_ai.tool.name": "echo",
      "hangar.client.kind": "stdio",
    });
    expect(childrenOf(receiver.spans, calls[1]!)[0]!.status.code).toBe(2);
    expect(childrenOf(receiver.spans, calls[2]!)).toEqual([]); // never sent upstream
  });

  test("The upstream request's trace context reaches a stdio provider in params._meta", async () => {
    await using receiver = startOtlpReceiver();
    const { gateway } = setup(receiver, [metaProvider("meta")]);
    const batch = await gateway.run({ calls: [{ provider: "meta", tool: "meta" }] });
    await gateway.close();
    await waitFor(() => receiver.named("mcp tools/call").length === 1, 5_000, "the upstream span");

    const meta = metaOf(batch.results[0]!.result);
    const [upstream] = receiver.named("mcp tools/call");
    expect(meta.traceparent).toBe(`00-${upstream!.traceId}-${upstream!.spanId}-01`);
    expect(meta.tracestate).toBeUndefined();
  });

  test("An incoming traceparent is continued: the batch span is its child, and tracestate travels upstream", async () => {
    await using receiver = startOtlpReceiver();
    const { gateway } = setup(receiver, [metaProvider("meta")]);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const batch = await gateway.run(
      { calls: [{ provider: "meta", tool: "meta" }] },
      { traceparent: `00-${traceId}-${callerSpan}-01`, tracestate: "vendor=abc" },
    );
    await gateway.close();
    await waitFor(() => receiver.spans.length === 3, 5_000, "three spans");

    const [root] = receiver.named("hangar.batch");
    expect(root).toMatchObject({ traceId, parentSpanId: callerSpan });
    expect(receiver.spans.every((span) => span.traceId === traceId)).toBe(true);
    const meta = metaOf(batch.results[0]!.result);
    expect(meta.traceparent).toStartWith(`00-${traceId}-`);
    expect(meta.tracestate).toBe("vendor=abc");
  });

  test("A malformed incoming traceparent starts a new trace instead of failing the batch", async () => {
    await using receiver = startOtlpReceiver();
    const { gateway } = setup(receiver, [demoProvider("demo")]);
    const batch = await gateway.run(
      { calls: [{ provider: "demo", tool: "echo", arguments: { message: "x" } }] },
      { traceparent: "00-nothex-0000-01" },
    );
    expect(batch.ok).toBe(true);
    await gateway.close();
    await waitFor(() => receiver.named("hangar.batch").length === 1, 5_000, "the batch span");
    expect(receiver.named("hangar.batch")[0]!.parentSpanId).toBeUndefined();
  });

  test("A remote provider gets the trace context as traceparent headers on its tools/call request", async () => {
    await using receiver = startOtlpReceiver();
    await using server = await startFixtureServer();
    const { gateway } = setup(receiver, [httpProvider("remote", server.url("/mcp"), { protocol: "streamable-http" })]);
    const batch = await gateway.run(
      { calls: [{ provider: "remote", tool: "echo", arguments: { message: "hi" } }] },
      { tracestate: "k=v", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    );
    expect(batch.ok).toBe(true);
    await gateway.close();
    await waitFor(() => receiver.named("mcp tools/call").length === 1, 5_000, "the upstream span");
    const [upstream] = receiver.named("mcp tools/call");
    expect(upstream!.attributes["hangar.client.kind"]).toBe("http");

    const seen = (await (await fetch(server.url("/seen-headers"))).json()) as Record<string, string>[];
    const traced = seen.filter((headers) => headers.traceparent !== undefined);
    expect(traced).toEqual([
      expect.objectContaining({ traceparent: `00-${upstream!.traceId}-${upstream!.spanId}-01`, tracestate: "k=v" }),
    ]);
  });

  test("Tracing is off unless an OTLP endpoint is set, and the endpoint follows the OTEL_* variables", () => {
    expect(createTracing({ env: {} })).toBeUndefined();
    expect(tracesEndpoint({})).toBeUndefined();
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })).toBe(
      "http://collector:4318/v1/traces",
    );
    expect(
      tracesEndpoint({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/custom",
      }),
    ).toBe("http://b:4318/custom");
    expect(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_SDK_DISABLED: "true" })).toBeUndefined();
    expect(
      tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_TRACES_EXPORTER: "none" }),
    ).toBeUndefined();
  });

  test("parseTraceparent accepts W3C traceparents and rejects malformed or all-zero ones", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      isRemote: true,
    });
    for (const bad of [
      undefined,
      "",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});
