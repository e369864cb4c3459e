import {
  type BatchInfo,
  type BatchRecorder,
  type CallInfo,
  type CallOutcome,
  type CallRecorder,
  type GatewayRecorder,
  noop,
  noopRecorder,
  SettledCallRecorder,
  type UpstreamMeta,
} from "./recorder.ts";

/** One recorder that tells each of `recorders` everything; no-op recorders are left out. */
export function combineRecorders(...recorders: GatewayRecorder[]): GatewayRecorder {
  const live = recorders.filter((recorder) => recorder !== noopRecorder);
  if (live.length <= 1) return live[0] ?? noopRecorder;
  return {
    batchStarted: (batch) => combineBatches(live, batch),
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

/** What each of `recorders` records of `batch`, as one recorder (no-op ones left out). */
function combineBatches(recorders: readonly GatewayRecorder[], batch: BatchInfo): BatchRecorder {
  const live: BatchRecorder[] = [];
  for (const recorder of recorders) {
    const started = recorder.batchStarted(batch);
    if (started !== noop.batch) live.push(started);
  }
  return live.length <= 1 ? (live[0] ?? noop.batch) : new CombinedBatch(live);
}

/** Two or more batch recorders told the same (a class, not closures: one is made per batch and per call). */
class CombinedBatch implements BatchRecorder {
  constructor(private readonly batches: readonly BatchRecorder[]) {}

  callStarted(call: CallInfo): CallRecorder {
    const live: CallRecorder[] = [];
    for (const batch of this.batches) {
      const recorder = batch.callStarted(call);
      if (recorder !== noop.call) live.push(recorder);
    }
    return live.length <= 1 ? (live[0] ?? noop.call) : new CombinedCall(live);
  }

  finished(summary: { readonly elapsedMs: number; readonly failed: number }): void {
    for (const batch of this.batches) batch.finished(summary);
  }
}

/**
 * Two or more call recorders: each that wraps the upstream request wraps the next (a `SettledCallRecorder`
 * does not, and is passed by); the innermost `_meta` offered wins (only tracing offers one).
 */
class CombinedCall implements CallRecorder {
  constructor(private readonly calls: readonly CallRecorder[]) {}

  upstream<T>(kind: string, send: (meta: UpstreamMeta | undefined) => Promise<T>): Promise<T> {
    return nest(this.calls, 0, kind, send, undefined);
  }

  finished(outcome: CallOutcome): void {
    for (const call of this.calls) call.finished(outcome);
  }
}

function nest<T>(
  calls: readonly CallRecorder[],
  at: number,
  kind: string,
  send: (meta: UpstreamMeta | undefined) => Promise<T>,
  meta: UpstreamMeta | undefined,
): Promise<T> {
  let next = at;
  while (calls[next] instanceof SettledCallRecorder) next++;
  const call = calls[next];
  if (call === undefined) return send(meta);
  return call.upstream(kind, (own) => nest(calls, next + 1, kind, send, own ?? meta));
}
