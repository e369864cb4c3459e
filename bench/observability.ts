// What recording one call costs, in-process, without any provider: the recorder sequence the gateway
// runs per call (batch started, call planned, one upstream request, call finished, batch finished)
// with nothing, with Prometheus metrics, and with metrics plus tracing (spans made, batched, then
// dropped by a discarding exporter). Figures are CPU time per call, free of IPC noise.
//
//   bun run bench/observability.ts [--calls 200000] [--json]
import { parseArgs } from "node:util";
import { combineRecorders, type GatewayRecorder, noopRecorder } from "../src/observability/index.ts";
import { createMetrics } from "../src/observability/metrics.ts";
import { createTracing } from "../src/observability/tracing.ts";

const { values } = parseArgs({
  options: { calls: { type: "string", default: "200000" }, json: { type: "boolean", default: false } },
});
const CALLS = Number(values.calls);
const discard = {
  export: (_spans: unknown[], done: (result: { code: 0 }) => void) => done({ code: 0 }),
  shutdown: () => Promise.resolve(),
};
const result = { content: [{ type: "text", text: "x" }] };
const send = () => Promise.resolve(result);

/** Runs CALLS one-call batches through `recorder`; returns microseconds per call (best of 3). */
async function measure(recorder: GatewayRecorder): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const batch = recorder.batchStarted({ batchId: "b", size: 1 });
      const call = batch.callStarted({ index: 0, provider: "demo", tool: "echo" });
      await call.upstream("stdio", send);
      call.finished({ ok: true, attempts: 1, elapsed_ms: 0.2 });
      batch.finished({ elapsedMs: 0.3, failed: 0 });
    }
    best = Math.min(best, ((performance.now() - start) * 1000) / CALLS);
  }
  return best;
}

const none = await measure(noopRecorder);
const metrics = await measure(createMetrics().recorder);
const tracing = createTracing({ exporter: discard })!;
const all = await measure(combineRecorders(createMetrics().recorder, tracing.recorder));
await tracing.shutdown();
const figures = { calls: CALLS, none_us: round(none), metrics_us: round(metrics), metrics_and_tracing_us: round(all) };
if (values.json) console.log(JSON.stringify(figures, null, 2));
else {
  console.log(`recording cost per call (${CALLS} calls, best of 3, µs; bun ${Bun.version}):`);
  console.log(`  nothing (default)      ${figures.none_us}`);
  console.log(`  metrics                ${figures.metrics_us}`);
  console.log(`  metrics and tracing    ${figures.metrics_and_tracing_us}`);
}

function round(us: number): number {
  return Math.round(us * 100) / 100;
}
