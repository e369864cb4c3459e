// POST /v1/call and the probes of `hangar serve --http`. What needs no socket or process of its own runs
// in-process through `createHttpApp`'s `app.request()` (issue 16 item 11); what a real connection proves
// (a client that disconnects, the process's logs and spans) runs against the compiled binary.
import { describe, expect, test } from "bun:test";
import { sandbox } from "./helpers/e2e.ts";
import { httpFront } from "./helpers/http-front.ts";
import { type HttpHangar, startHttpHangar } from "./helpers/http-serve.ts";
import { startOtlpReceiver } from "./helpers/otlp-receiver.ts";
import { waitFor } from "./helpers/processes.ts";
import { textOf } from "./helpers/serve.ts";

const TIMEOUT_MS = 20_000;
const JSON_BODY = { "content-type": "application/json" };
const NDJSON = { ...JSON_BODY, accept: "application/x-ndjson" };

type Line = {
  index?: number;
  id?: string;
  ok: boolean;
  batch_id?: string;
  total?: number;
  succeeded?: number;
  results?: unknown;
  result?: unknown;
  error?: { type: string };
};

/** Reads an NDJSON response line by line, telling `onLine` each one as it arrives. */
async function readLines(response: Response, onLine: (line: Line) => void = () => {}): Promise<Line[]> {
  const decoder = new TextDecoder();
  const out: Line[] = [];
  let buffer = "";
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let newline = buffer.indexOf("\n"); newline !== -1; newline = buffer.indexOf("\n")) {
      const line = JSON.parse(buffer.slice(0, newline)) as Line;
      buffer = buffer.slice(newline + 1);
      out.push(line);
      onLine(line);
    }
  }
  return out;
}

describe("hangar serve --http: POST /v1/call", () => {
  test("a JSON batch is answered with the whole BatchResult, results in call order", async () => {
    await using front = httpFront();
    const fetch = front.fetch;
    const response = await fetch("/v1/call", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        calls: [
          { provider: "demo", tool: "sleep", arguments: { ms: 100 }, id: "slow" },
          { provider: "demo2", tool: "echo", arguments: { message: "hi" }, id: "echo" },
          { provider: "demo", tool: "fail", id: "broken" },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const batch = (await response.json()) as {
      ok: boolean;
      total: number;
      succeeded: number;
      failed: number;
      results: Line[];
    };
    expect(batch).toMatchObject({ ok: false, total: 3, succeeded: 2, failed: 1 });
    expect(batch.results.map((r) => r.id)).toEqual(["slow", "echo", "broken"]);
    expect(textOf(batch.results[1]!.result)).toBe("hi");
    expect(batch.results[2]!.error?.type).toBe("tool_error");
  });

  test("with Accept: application/x-ndjson each call is a line as soon as it finishes, then a summary line", async () => {
    await using front = httpFront();
    const fetch = front.fetch;
    const response = await fetch("/v1/call", {
      method: "POST",
      headers: NDJSON,
      body: JSON.stringify([
        { provider: "demo", tool: "sleep", arguments: { ms: 1500 }, id: "slow" },
        { provider: "demo2", tool: "echo", arguments: { message: "fast" }, id: "fast" },
      ]),
    });
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const started = performance.now();
    let firstAfterMs = 0;
    const lines = await readLines(response, () => {
      firstAfterMs ||= performance.now() - started;
    });
    const totalMs = performance.now() - started;
    expect(lines.map((l) => l.id ?? "summary")).toEqual(["fast", "slow", "summary"]);
    expect(firstAfterMs).toBeLessThan(totalMs - 500);
    expect(lines[2]).toMatchObject({ ok: true, total: 2, succeeded: 2 });
    expect(lines[2]!.batch_id).toBeString();
    expect(lines[2]!.results).toBeUndefined();
  });

  test("a malformed batch or a body that is not JSON is a 400 with {error}, and nothing runs", async () => {
    await using front = httpFront();
    const fetch = front.fetch;
    const notJson = await fetch("/v1/call", { method: "POST", headers: JSON_BODY, body: "{calls:" });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toStartWith("The request body is not valid JSON");
    const malformed = await fetch("/v1/call", {
      method: "POST",
      headers: NDJSON,
      body: JSON.stringify({ calls: "all of them" }),
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toStartWith("Invalid batch: calls:");
    const ready = (await (await fetch("/readyz")).json()) as { providers: Record<string, number> };
    expect(ready.providers).toMatchObject({ total: 2, cold: 2 });
  });
});

describe("hangar serve --http: probes", () => {
  test("/healthz answers ok, /readyz the providers' summary, /metrics Prometheus text", async () => {
    await using front = httpFront();
    const fetch = front.fetch;
    const health = await fetch("/healthz");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch("/readyz");
    expect(ready.status).toBe(200);
    // Every state is counted, 0 when no provider is in it: a probe reading providers.ready gets a number.
    const none = { starting: 0, ready: 0, draining: 0, stopped: 0, failed: 0 };
    expect(await ready.json()).toEqual({
      status: "ready",
      providers: { total: 2, cold: 2, ...none, circuit_open: 0 },
      config: { hash: expect.stringMatching(/^[0-9a-f]{12}$/) },
    });
    const call = await fetch("/v1/call", {
      method: "POST",
      headers: JSON_BODY,
      body: JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "up" } }]),
    });
    expect(call.status).toBe(200);
    const warm = (await (await fetch("/readyz")).json()) as { providers: Record<string, number> };
    expect(warm.providers).toEqual({ total: 2, ...none, cold: 1, ready: 1, circuit_open: 0 });
    expect(Object.keys(warm.providers)).toEqual([
      "total",
      "cold",
      "starting",
      "ready",
      "draining",
      "stopped",
      "failed",
      "circuit_open",
    ]);
    const metrics = await fetch("/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toStartWith("text/plain");
    expect(await metrics.text()).toContain("# TYPE hangar_calls_total counter");
    expect((await fetch("/nowhere")).status).toBe(404);
  });
});

describe("hangar serve --http over real connections: POST /v1/call", () => {
  test.each(["application/json", "application/x-ndjson"])(
    "a client that disconnects cancels the calls still running (Accept: %s)",
    async (accept) => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const { client } = await hangar.connect();
      const status = async () => {
        const result = await client.callTool({ name: "hangar_status", arguments: { provider: "demo" } });
        return (result.structuredContent as { providers: { in_flight: number; state: string }[] }).providers[0]!;
      };
      const abort = new AbortController();
      const pending = fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        headers: { ...JSON_BODY, accept },
        body: JSON.stringify([{ provider: "demo", tool: "sleep", arguments: { ms: 60_000 } }]),
        signal: abort.signal,
      }).then((response) => response.text());
      await waitFor(
        async () => {
          const now = await status();
          return now.state === "ready" && now.in_flight === 1;
        },
        10_000,
        "the call to be running",
      );
      abort.abort();
      await pending.catch(() => {});
      await waitFor(async () => (await status()).in_flight === 0, 5_000, "the call to be cancelled");
      expect((await status()).state).toBe("ready");
    },
    TIMEOUT_MS,
  );
});

/** The value of one series on /metrics (`name{labels}` exactly as printed), or undefined when absent. */
async function metric(hangar: HttpHangar, series: string): Promise<number | undefined> {
  const text = await (await fetch(`${hangar.base}/metrics`)).text();
  const row = text.split("\n").find((line) => line.startsWith(`${series} `));
  return row === undefined ? undefined : Number(row.slice(series.length + 1));
}

describe("hangar serve --http: POST /v1/call bookkeeping", () => {
  test(
    "an NDJSON client that disconnects has every call recorded as cancelled and the batch finished in metrics, logs and spans (issue 9 item 23)",
    async () => {
      await using receiver = startOtlpReceiver();
      using box = sandbox();
      const hangar = await startHttpHangar(box, [], {
        HANGAR_LOG_LEVEL: "debug",
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      });
      try {
        const abort = new AbortController();
        const sleep = { provider: "demo", tool: "sleep", arguments: { ms: 60_000 } };
        // The answer's head may wait for its first line, which never comes: the request is not awaited.
        const pending = fetch(`${hangar.base}/v1/call`, {
          method: "POST",
          headers: NDJSON,
          body: JSON.stringify([sleep, sleep, sleep]),
          signal: abort.signal,
        }).then((response) => response.text());
        await waitFor(
          async () =>
            (await metric(hangar, 'hangar_provider_state{provider="demo",state="ready"}')) === 1 &&
            (await metric(hangar, 'hangar_calls_in_flight{provider="demo"}')) === 3,
          10_000,
          "the three calls to be running",
        );
        abort.abort();
        await pending.catch(() => {});
        await waitFor(
          async () =>
            (await metric(hangar, 'hangar_calls_total{provider="demo",tool="sleep",outcome="cancelled"}')) === 3,
          10_000,
          "three calls counted as cancelled",
        );
        await waitFor(
          async () => (await metric(hangar, "hangar_batch_duration_seconds_count")) === 1,
          5_000,
          "the batch in the batch histogram",
        );
        await waitFor(() => hangar.running.stderr().includes('"msg":"batch finished"'), 5_000, "batch finished logged");
        hangar.running.proc.kill("SIGTERM");
        await hangar.running.done;
      } finally {
        await hangar[Symbol.asyncDispose]();
      }
      await waitFor(() => receiver.named("hangar.batch").length === 1, 5_000, "the batch span to end");
      const calls = receiver.named("hangar.call");
      expect(calls.map((span) => span.attributes["hangar.outcome"])).toEqual(["cancelled", "cancelled", "cancelled"]);
    },
    TIMEOUT_MS,
  );
});
