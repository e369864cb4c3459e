import type { Logger } from "./log.ts";
import { type BatchRecorder, type CallRecorder, type GatewayRecorder, noopRecorder } from "./recorder.ts";

/**
 * A recorder that logs batches and calls: each batch's lines carry its `batch_id`, each call's its
 * `call_id` (`<batch_id>:<index>`), through pino child loggers. Batches and successful calls at
 * debug, failed calls at info. Costs nothing when the level is above info.
 */
export function logRecorder(logger: Logger): GatewayRecorder {
  if (!logger.isLevelEnabled("info")) return noopRecorder;
  const debug = logger.isLevelEnabled("debug");
  return {
    ...noopRecorder,
    batchStarted(batch): BatchRecorder {
      const log = logger.child({ batch_id: batch.batchId });
      if (debug)
        log.debug(
          { calls: batch.size, ...(batch.traceparent ? { traceparent: batch.traceparent } : {}) },
          "batch started",
        );
      return {
        callStarted(call): CallRecorder {
          return {
            upstream: (_kind, send) => send(undefined),
            finished(outcome) {
              if (outcome.ok && !debug) return;
              const line = {
                call_id: `${batch.batchId}:${call.index}`,
                provider: call.provider,
                tool: call.tool,
                attempts: outcome.attempts,
                elapsed_ms: outcome.elapsed_ms,
              };
              if (outcome.ok) log.debug(line, "call succeeded");
              else log.info({ ...line, error_type: outcome.error?.type, err: outcome.error?.message }, "call failed");
            },
          };
        },
        finished({ elapsedMs, failed }) {
          if (debug)
            log.debug({ calls: batch.size, failed, elapsed_ms: Math.round(elapsedMs * 100) / 100 }, "batch finished");
        },
      };
    },
  };
}
