import type { CallToolResult } from "@modelcontextprotocol/client";
import { z } from "zod";
import { CALL_ERROR_TYPES } from "../errors.ts";
import { parsePointer } from "./json-pointer.ts";

/** A JSON Pointer (RFC 6901), checked. */
const PointerSchema = z.string().superRefine((pointer, ctx) => {
  const parsed = parsePointer(pointer);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
});

/** A `max_result_bytes`: 0 = no limit. */
const ResultBytesSchema = z.number().int().min(0);

/** One call of a batch, as the agent writes it. */
export const CallRequestSchema = z
  .object({
    provider: z.string().min(1).describe('Provider id, as listed by hangar_tools (e.g. "github")'),
    tool: z.string().min(1).describe('Name of the tool on that provider (e.g. "search_repos")'),
    arguments: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'The tool\'s arguments, matching its inputSchema; omit for a tool that takes none. Anywhere inside, {"$hangar.ref": "<id>#<JSON Pointer>"} stands for a value from the result of the call with that id (its structuredContent, else its first text parsed as JSON), e.g. {"$hangar.ref": "search#/items/0/id"}; this call then runs once that one has finished. {"$hangar.literal": X} sends X as it is',
      ),
    id: z
      .string()
      .max(256)
      .optional()
      .describe("Your own label for this call, echoed back in its result; unique when another call references it"),
    timeout_s: z
      .number()
      .positive()
      .max(86_400)
      .optional()
      .describe("Deadline of this call in seconds, waiting included (default: the provider's call_timeout_s, 60)"),
    select: z
      .array(PointerSchema)
      .min(1)
      .max(100)
      .optional()
      .describe(
        'Return only these parts of the result: JSON Pointers into it, e.g. ["/items/0/name", "/total"]; the call\'s result is then selected: {pointer: value}; hangar_result has the rest',
      ),
    max_result_bytes: ResultBytesSchema.optional().describe(
      "Cut this call's result to this many bytes of JSON (marked truncated; hangar_result has the rest); 0 = no limit (default: its share of the batch's)",
    ),
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
    max_result_bytes: ResultBytesSchema.optional().describe(
      "The batch's results together hold at most this many bytes of JSON, shared between the calls without their own; 0 = no limit (default over MCP: 49152)",
    ),
  })
  .strict();

/** A validated call. */
export type CallRequest = z.infer<typeof CallRequestSchema>;
/** A validated batch. */
export type BatchRequest = z.infer<typeof BatchRequestSchema>;

/** Why a call failed. */
export const CallErrorInfoSchema = z.object({
  type: z.enum(CALL_ERROR_TYPES),
  message: z.string(),
  retryable: z.boolean().describe("Whether the same call may succeed if tried again"),
});

/**
 * A provider's answer, kept as it came: typed as the SDK's CallToolResult, advertised as any object (its
 * JSON Schema is its metadata), since Hangar passes on what the provider sent without checking it again.
 */
const ProviderAnswerSchema = z
  .custom<CallToolResult>((value) => typeof value === "object" && value !== null && !Array.isArray(value))
  .meta({
    type: "object",
    description: "The provider's CallToolResult (kept for a tool_error too), untouched unless truncated",
  });

/** The outcome of one call, in the batch result's `results`. */
export const CallResultSchema = z.object({
  index: z.number().int().nonnegative().describe("Position of the call in the request"),
  id: z.string().optional().describe("The call's own label, if it had one"),
  provider: z.string(),
  tool: z.string(),
  ok: z.boolean(),
  result: ProviderAnswerSchema.optional(),
  selected: z
    .custom<Record<string, unknown>>((value) => typeof value === "object" && value !== null && !Array.isArray(value))
    .meta({
      type: "object",
      description: "With select: the value at each pointer that found one, by pointer (result is then left out)",
    })
    .optional(),
  truncated: z.literal(true).optional().describe("result is a text preview cut to max_result_bytes"),
  original_bytes: z.number().int().optional().describe("With truncated: the size of what was cut, as JSON"),
  error: CallErrorInfoSchema.optional(),
  elapsed_ms: z.number().describe("From the call getting its turn to its result"),
  attempts: z.number().int().nonnegative().describe("Upstream attempts (0: it never reached the provider)"),
});

/** The output of `hangar_call`, `hangar call --json` and `POST /v1/call` (docs/contract.md). */
export const BatchResultSchema = z.object({
  batch_id: z.string(),
  ok: z.boolean().describe("true when every call succeeded"),
  total: z.number().int().nonnegative(),
  succeeded: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  elapsed_ms: z.number().describe("From the batch's acceptance to its last result"),
  results: z.array(CallResultSchema).describe("One result per call, in call order"),
});

/** The batch result without its `results`: the last line of a streamed batch. */
export const BatchSummarySchema = BatchResultSchema.omit({ results: true });

/** A provider's answer to a call (its CallToolResult), as the batch carries it. */
export type ProviderAnswer = z.infer<typeof ProviderAnswerSchema>;
/** Why a call failed. */
export type CallErrorInfo = z.infer<typeof CallErrorInfoSchema>;
/** The outcome of one call. */
export type CallResult = z.infer<typeof CallResultSchema>;
/** The whole batch result. */
export type BatchResult = z.infer<typeof BatchResultSchema>;
/** The batch result without its `results`. */
export type BatchSummary = z.infer<typeof BatchSummarySchema>;
