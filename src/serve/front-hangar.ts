import type { ClientCapabilities } from "@modelcontextprotocol/server";
import type { Gateway } from "../gateway/index.ts";
import type { BatchInput, BatchResult, CallResult, HangarStatus } from "../lib/types.ts";
import type { Catalog } from "./catalog.ts";

/** How a front starts a batch through the library (`CallOptions` of `Hangar.stream`, the fields a front sets). */
export interface FrontBatchOptions {
  readonly signal?: AbortSignal;
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The batch's `max_result_bytes` when it sets none (default none). */
  readonly defaultMaxResultBytes?: number;
  /** Keep the full answers of trimmed calls for `hangar_result` (default false). */
  readonly keepTrimmed?: boolean;
  /** Fail a call whose provider asks for input with `input_required` (a 2026-07-28 client's batch; default false). */
  readonly refuseInput?: boolean;
  /** What the batch's client declared (see `CallOneOptions.clientCapabilities`; default: the connection's). */
  readonly clientCapabilities?: ClientCapabilities;
}

/** A batch as the library streams it (`HangarStream`). */
export interface FrontBatch extends AsyncIterable<CallResult> {
  readonly batchId: string;
  readonly total: number;
  result(): Promise<BatchResult>;
}

/**
 * The library's `Hangar` (src/lib/hangar.ts) as the serving fronts see it: batches, status and closing
 * through its API, the one path `hangar call` and an embedding agent take too, plus what only an MCP
 * front needs (the gateway for its per-request work, the catalog it lists and follows). An interface
 * here rather than an import, because the library is built on serve's catalog and views.
 */
export interface FrontHangar {
  readonly gateway: Gateway;
  readonly catalog: Catalog;
  /** Starts a batch (`hangar_call`, `POST /v1/call`); throws `InvalidBatchError` for a malformed one. */
  stream(input: BatchInput, options?: FrontBatchOptions): FrontBatch;
  /** `hangar_status`: every provider's health, or only `provider`'s. */
  status(options?: { readonly provider?: string }): HangarStatus;
  /** Cancels every running call and stops every provider. */
  close(): Promise<void>;
}
