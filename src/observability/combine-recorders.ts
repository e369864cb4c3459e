import {
  type BatchRecorder,
  type CallRecorder,
  type GatewayRecorder,
  noop,
  noopRecorder,
  type UpstreamMeta,
} from "./recorder.ts";

/** One recorder that tells each of `recorders` everything; no-op recorders are left out. */
export function combineRecorders(...recorders: GatewayRecorder[]): GatewayRecorder {
  const live = recorders.filter((recorder) => recorder !== noopRecorder);
  if (live.length <= 1) return live[0] ?? noopRecorder;
  return {
    batchStarted: (batch) => combineBatches(live.map((recorder) => recorder.batchStarted(batch))),
    providerStarted: (provider, durationMs) => {
      for (const recorder of live) recorder.providerStarted(provider, durationMs);
    },
    providerStartFailed: (provider) => {
      for (const recorder of live) recorder.providerStartFailed(provider);
    },
    providerCrashed: (provider) => {
      for (const recorder of live) recorder.providerCrashed(provider);
    },
    breakerRejected: (provider) => {
      for (const recorder of live) recorder.breakerRejected(provider);
    },
    healthChecked: (provider, ok) => {
      for (const recorder of live) recorder.healthChecked(provider, ok);
    },
    flush: async () => void (await Promise.all(live.map((recorder) => recorder.flush()))),
  };
}

function combineBatches(batches: BatchRecorder[]): BatchRecorder {
  const live = batches.filter((batch) => batch !== noop.batch);
  if (live.length <= 1) return live[0] ?? noop.batch;
  return {
    callStarted: (call) => combineCalls(live.map((batch) => batch.callStarted(call))),
    finished: (summary) => {
      for (const batch of live) batch.finished(summary);
    },
  };
}

function combineCalls(calls: CallRecorder[]): CallRecorder {
  const live = calls.filter((call) => call !== noop.call);
  if (live.length <= 1) return live[0] ?? noop.call;
  return {
    // Each recorder wraps the next; the innermost `_meta` offered wins (only tracing offers one).
    upstream: (kind, send) => nest(live, 0, kind, send, undefined),
    finished: (outcome) => {
      for (const call of live) call.finished(outcome);
    },
  };
}

function nest<T>(
  calls: CallRecorder[],
  at: number,
  kind: string,
  send: (meta: UpstreamMeta | undefined) => Promise<T>,
  meta: UpstreamMeta | undefined,
): Promise<T> {
  const call = calls[at];
  if (call === undefined) return send(meta);
  return call.upstream(kind, (own) => nest(calls, at + 1, kind, send, own ?? meta));
}
