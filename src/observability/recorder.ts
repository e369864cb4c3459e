/**
 * What the gateway and the pool tell observability (metrics, traces, logs) as work happens. The core
 * depends on this interface only; `noopRecorder` is its default and costs nothing.
 */
export interface GatewayRecorder {
  /** A batch was accepted and is about to run. */
  batchStarted(batch: BatchInfo): BatchRecorder;
  /** A provider finished starting (spawn, `initialize`, listing) in `durationMs`. */
  providerStarted(provider: string, durationMs: number): void;
  /** A provider failed to start. */
  providerStartFailed(provider: string): void;
  /** A running provider exited or dropped its connection unexpectedly. */
  providerCrashed(provider: string): void;
  /** The circuit breaker refused a call or a health check (`circuit_open`). */
  breakerRejected(provider: string): void;
  /** A health check ping finished. */
  healthChecked(provider: string, ok: boolean): void;
  /** Sends whatever is buffered (spans); called when the gateway closes. */
  flush(): Promise<void>;
}

/** A batch as it starts. */
export interface BatchInfo {
  readonly batchId: string;
  readonly size: number;
  /**
   * A single call made by name, not a batch: a client's own `tools/call` passed through, the library's
   * `callTool` (`Gateway.callOne`). Metrics count it as a call only (default false).
   */
  readonly single?: boolean;
  /** The caller's W3C trace context, continued by the batch's span (optional). */
  readonly traceparent?: string | undefined;
  readonly tracestate?: string | undefined;
}

/** One batch's recorder. */
export interface BatchRecorder {
  /** A call of the batch was planned (it starts waiting for its permits now). */
  callStarted(call: CallInfo): CallRecorder;
  /** Every call settled, or the consumer left; `elapsedMs` from the start of the batch. */
  finished(summary: { readonly elapsedMs: number; readonly failed: number }): void;
}

/** A call as it is planned. */
export interface CallInfo {
  readonly index: number;
  readonly provider: string;
  readonly tool: string;
  /** The caller's label, if any. */
  readonly id?: string | undefined;
}

/** How a call ended; the fields of its CallResult that observability reads. */
export interface CallOutcome {
  readonly ok: boolean;
  readonly error?: { readonly type: string; readonly message: string } | undefined;
  readonly attempts: number;
  readonly elapsed_ms: number;
}

/** Metadata to put in an upstream request's `params._meta` (a W3C trace context). */
export type UpstreamMeta = Readonly<Record<string, string>>;

/** One call's recorder. */
export interface CallRecorder {
  /** Runs one upstream `tools/call` under this call; `send` gets the `_meta` to attach, if any. */
  upstream<T>(clientKind: string, send: (meta: UpstreamMeta | undefined) => Promise<T>): Promise<T>;
  /** The call settled (once). */
  finished(outcome: CallOutcome): void;
}

/**
 * A call recorder that sends upstream as it is, offering no `_meta` of its own (every recorder but
 * tracing's): it only records how the call ended. The combined recorder skips it on the way upstream.
 */
export abstract class SettledCallRecorder implements CallRecorder {
  upstream<T>(_kind: string, send: (meta: UpstreamMeta | undefined) => Promise<T>): Promise<T> {
    return send(undefined);
  }

  abstract finished(outcome: CallOutcome): void;
}

class NoopCall extends SettledCallRecorder {
  finished(): void {}
}

const noopCall: CallRecorder = new NoopCall();

const noopBatch: BatchRecorder = {
  callStarted: () => noopCall,
  finished: () => {},
};

/** Records nothing; the default of `GatewayDeps.recorder`. */
export const noopRecorder: GatewayRecorder = {
  batchStarted: () => noopBatch,
  providerStarted: () => {},
  providerStartFailed: () => {},
  providerCrashed: () => {},
  breakerRejected: () => {},
  healthChecked: () => {},
  flush: () => Promise.resolve(),
};

/** The recorders' no-op pieces, for recorders that watch only some events. */
export const noop = { call: noopCall, batch: noopBatch } as const;
