// The combined recorder (logs + metrics + traces): every recorder hears how each call ended, the one that
// wraps the upstream request (tracing) wraps it and its `_meta` goes upstream, and recorders that only
// record the end (SettledCallRecorder: logs, metrics) are passed by on the way upstream.
import { describe, expect, test } from "bun:test";
import { combineRecorders } from "../src/observability/combine-recorders.ts";
import {
  type CallOutcome,
  type CallRecorder,
  type GatewayRecorder,
  noopRecorder,
  SettledCallRecorder,
  type UpstreamMeta,
} from "../src/observability/recorder.ts";

const OUTCOME: CallOutcome = { ok: true, attempts: 1, elapsed_ms: 1 };
const BATCH = { batchId: "b", size: 1 };
const CALL = { index: 0, provider: "p", tool: "t" };

/** A recorder whose every call is recorded by `make()`. */
function recorderOf(make: () => CallRecorder): GatewayRecorder {
  return { ...noopRecorder, batchStarted: () => ({ callStarted: make, finished: () => {} }) };
}

class Settled extends SettledCallRecorder {
  upstreams = 0;
  readonly ended: CallOutcome[] = [];

  override upstream<T>(kind: string, send: (meta: UpstreamMeta | undefined) => Promise<T>): Promise<T> {
    this.upstreams++;
    return super.upstream(kind, send);
  }

  finished(outcome: CallOutcome): void {
    this.ended.push(outcome);
  }
}

describe("Combined recorders", () => {
  test("The recorder that wraps the upstream request gives its _meta; those that only record the end are passed by; all hear the end", async () => {
    const logs = new Settled();
    const metrics = new Settled();
    const wrapped: string[] = [];
    const tracing: CallRecorder = {
      upstream: async (kind, send) => {
        wrapped.push(kind);
        return await send({ traceparent: "00-trace-span-01" });
      },
      finished: () => wrapped.push("finished"),
    };
    const combined = combineRecorders(
      recorderOf(() => logs),
      recorderOf(() => tracing),
      recorderOf(() => metrics),
    );
    const call = combined.batchStarted(BATCH).callStarted(CALL);
    const sent: (UpstreamMeta | undefined)[] = [];
    const answer = await call.upstream("stdio", async (meta) => {
      sent.push(meta);
      return "answer";
    });
    expect(answer).toBe("answer");
    call.finished(OUTCOME);
    expect(sent).toEqual([{ traceparent: "00-trace-span-01" }]);
    expect(wrapped).toEqual(["stdio", "finished"]);
    expect([logs.upstreams, metrics.upstreams]).toEqual([0, 0]);
    expect([logs.ended, metrics.ended]).toEqual([[OUTCOME], [OUTCOME]]);
  });

  test("Recorders that only record the end send upstream with no _meta, once", async () => {
    const [logs, metrics] = [new Settled(), new Settled()];
    const call = combineRecorders(
      recorderOf(() => logs),
      recorderOf(() => metrics),
    )
      .batchStarted(BATCH)
      .callStarted(CALL);
    const sent: (UpstreamMeta | undefined)[] = [];
    await call.upstream("http", async (meta) => void sent.push(meta));
    expect(sent).toEqual([undefined]);
  });
});
