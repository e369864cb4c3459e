import type { CallToolResult } from "@modelcontextprotocol/client";
import type { Clock } from "../clock.ts";
import type { Settled } from "../scheduler/index.ts";
import type { BatchResult, BatchSummary, CallResult } from "./batch-schema.ts";

/** What `Gateway.stream` hands a new BatchStream. */
export interface BatchStreamSource {
  readonly batchId: string;
  readonly total: number;
  /** The gateway's clock. */
  readonly clock: Clock;
  /** When the gateway accepted the batch (its request well-formed), on `clock`. */
  readonly acceptedAt: number;
  /** The scheduler's outcomes, in the order calls settle. */
  readonly settled: AsyncIterable<Settled<CallToolResult>>;
  /** Builds (and records) the result of one settled call. */
  readonly resultOf: (outcome: Settled<CallToolResult>) => CallResult;
  /**
   * How the batch's `max_result_bytes` is shared (default: not at all): each result read from `results`
   * gets an equal share; `collect()` shares it over the whole batch.
   */
  readonly share?: ResultSharing;
  /** Told once, when every result has been read or the reader left: the batch's elapsed ms and failures. */
  readonly onEnd: (elapsedMs: number, failed: number) => void;
}

/** How a batch's results share its `max_result_bytes` (see ResultTrimmer). */
export interface ResultSharing {
  /** A result read on its own, as it settles. */
  streamed(result: CallResult): CallResult;
  /** Every result, in call order, once the last has settled. */
  whole(results: readonly CallResult[]): CallResult[];
}

/**
 * A batch in progress, as every front reads it: its id and size, its results as calls finish, and the
 * batch result once the last one is in. The batch's `elapsed_ms` runs from its acceptance to its last
 * result on the gateway's clock, whatever a front does while rendering (docs/contract.md).
 */
export class BatchStream {
  readonly batchId: string;
  readonly total: number;
  /** Results in the order calls finish: one iterator, shared by every reader; `collect()` reads what is left. */
  readonly results: AsyncIterableIterator<CallResult>;
  private readonly clock: Clock;
  private readonly acceptedAt: number;
  private readonly inOrder: CallResult[];
  private readonly share: ResultSharing | undefined;
  private received = 0;
  private failed = 0;
  private lastAt: number | undefined;

  constructor(source: BatchStreamSource) {
    this.batchId = source.batchId;
    this.total = source.total;
    this.clock = source.clock;
    this.acceptedAt = source.acceptedAt;
    this.inOrder = new Array(source.total);
    this.share = source.share;
    this.results = this.follow(source);
  }

  /** The batch result without `results` (the last line of a streamed batch); only after the last result. */
  summary(): BatchSummary {
    if (this.lastAt === undefined)
      throw new Error(`The summary of batch ${this.batchId} was asked for before its last result`);
    return {
      batch_id: this.batchId,
      ok: this.failed === 0,
      total: this.total,
      succeeded: this.total - this.failed,
      failed: this.failed,
      elapsed_ms: roundMs(this.lastAt - this.acceptedAt),
    };
  }

  /** Reads the results not read yet and returns the whole batch result, results in call order. */
  async collect(): Promise<BatchResult> {
    for await (const _ of this.results) {
      // Each result is kept in call order as it passes.
    }
    return { ...this.summary(), results: this.share ? this.share.whole(this.inOrder) : this.inOrder };
  }

  private async *follow(source: BatchStreamSource): AsyncGenerator<CallResult> {
    try {
      for await (const outcome of source.settled) {
        const result = source.resultOf(outcome);
        this.inOrder[result.index] = result;
        if (!result.ok) this.failed++;
        if (++this.received === this.total) this.lastAt = this.clock.now();
        yield this.share ? this.share.streamed(result) : result;
      }
    } finally {
      source.onEnd((this.lastAt ?? this.clock.now()) - this.acceptedAt, this.failed);
    }
  }
}

/** Milliseconds with two decimals, as results report them. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
