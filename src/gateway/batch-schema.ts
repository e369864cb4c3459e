import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { CallErrorType } from "../errors.ts";

/** One call of a batch, as the agent writes it. */
export const CallRequestSchema = z
  .object({
    provider: z.string().min(1).describe('Provider id, as listed by hangar_tools (e.g. "github")'),
    tool: z.string().min(1).describe('Name of the tool on that provider (e.g. "search_repos")'),
    arguments: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("The tool's arguments, matching its inputSchema; omit for a tool that takes none"),
    id: z.string().max(256).optional().describe("Your own label for this call, echoed back in its result"),
    timeout_s: z
      .number()
      .positive()
      .max(86_400)
      .optional()
      .describe("Deadline of this call in seconds, waiting included (default: the provider's call_timeout_s, 60)"),
  })
  .strict();

/** The input of `hangar_call` and `hangar call`: calls run in parallel, results in call order. */
export const BatchRequestSchema = z
  .object({
    calls: z
      .array(CallRequestSchema)
      .min(1)
      .describe("The tool calls to run in parallel; results come back in this order"),
    max_concurrency: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("At most this many calls of this batch run at once (default: the gateway's limits only)"),
    timeout_s: z
      .number()
      .positive()
      .max(86_400)
      .optional()
      .describe("Deadline of the whole batch in seconds (default: none)"),
    fail_fast: z.boolean().optional().describe("Cancel the remaining calls as soon as one fails (default false)"),
  })
  .strict();

/** A validated call. */
export type CallRequest = z.infer<typeof CallRequestSchema>;
/** A validated batch. */
export type BatchRequest = z.infer<typeof BatchRequestSchema>;

/** Why a call failed. */
export interface CallErrorInfo {
  type: CallErrorType;
  message: string;
  /** Whether the same call may succeed if tried again. */
  retryable: boolean;
}

/** The outcome of one call, in the batch result's `results`. */
export interface CallResult {
  index: number;
  id?: string;
  provider: string;
  tool: string;
  ok: boolean;
  /** The provider's CallToolResult, untouched (also kept for an `isError` result). */
  result?: CallToolResult;
  error?: CallErrorInfo;
  elapsed_ms: number;
  attempts: number;
}

/** The output of `hangar_call` and `hangar call --json`. */
export interface BatchResult {
  batch_id: string;
  ok: boolean;
  total: number;
  succeeded: number;
  failed: number;
  elapsed_ms: number;
  results: CallResult[];
}

/** The batch result without its `results`: the last line of a streamed batch. */
export type BatchSummary = Omit<BatchResult, "results">;
