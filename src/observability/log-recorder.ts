import type { Logger } from "./log.ts";
import {
  type BatchInfo,
  type BatchRecorder,
  type CallInfo,
  type CallOutcome,
  type CallRecorder,
  type GatewayRecorder,
  noopRecorder,
  SettledCallRecorder,
} from "./recorder.ts";

/**
 * A recorder that logs batches and calls: each batch's lines carry its `batch_id`, each call's its
 * `call_id` (`<batch_id>:<index>`), through pino child loggers. Batches and successful calls at
 * debug, failed calls at info. Costs nothing when the level is above info; at info, a batch whose calls
 * all succeed writes no line and makes no child logger (nor reads its id).
 */
export function logRecorder(logger: Logger): GatewayRecorder {
  if (!logger.isLevelEnabled("info")) return noopRecorder;
  const debug = logger.isLevelEnabled("debug");
  return { ...noopRecorder, batchStarted: (batch) => new LoggedBatch(logger, batch, debug) };
}

/** One batch's lines, through a child logger made at its first line. */
class LoggedBatch implements BatchRecorder {
  private log: Logger | undefined;

  constructor(
    private readonly logger: Logger,
    readonly batch: BatchInfo,
    readonly debug: boolean,
  ) {
    if (debug)
      this.child().debug(
        { calls: batch.size, ...(batch.traceparent ? { traceparent: batch.traceparent } : {}) },
        "batch started",
      );
  }

  /** The logger of the batch's lines (its `batch_id` bound). */
  child(): Logger {
    this.log ??= this.logger.child({ batch_id: this.batch.batchId });
    return this.log;
  }

  callStarted(call: CallInfo): CallRecorder {
    return new LoggedCall(this, call);
  }

  finished({ elapsedMs, failed }: { readonly elapsedMs: number; readonly failed: number }): void {
    if (this.debug)
      this.child().debug(
        { calls: this.batch.size, failed, elapsed_ms: Math.round(elapsedMs * 100) / 100 },
        "batch finished",
      );
  }
}

/** One call's line: at debug when it succeeded, at info when it failed. */
class LoggedCall extends SettledCallRecorder {
  constructor(
    private readonly batch: LoggedBatch,
    private readonly call: CallInfo,
  ) {
    super();
  }

  finished(outcome: CallOutcome): void {
    if (outcome.ok && !this.batch.debug) return;
    const { batch, call } = this;
    const line = {
      call_id: `${batch.batch.batchId}:${call.index}`,
      provider: call.provider,
      tool: call.tool,
      attempts: outcome.attempts,
      elapsed_ms: outcome.elapsed_ms,
    };
    if (outcome.ok) batch.child().debug(line, "call succeeded");
    else batch.child().info({ ...line, error_type: outcome.error?.type, err: outcome.error?.message }, "call failed");
  }
}
