import type { CallToolResult } from "@modelcontextprotocol/server";
import { z } from "zod";
import { MCP_RESULT_BYTES } from "../gateway/index.ts";
import type { FrontDeps } from "./front-deps.ts";
import type { HangarTool } from "./hangar-tool.ts";
import { type Extra, failure } from "./request-context.ts";

/** `hangar_result` input. */
export const ResultRequestSchema = z
  .object({
    batch_id: z.string().min(1).describe("The batch_id of the hangar_call answer"),
    index: z.number().int().nonnegative().describe("The index of the call in that batch"),
  })
  .strict();

/** What hangar_call's description adds about dependent calls and trimmed results (kept here, beside hangar_result). */
export const BATCH_SYNTAX_HELP = `Dependent calls: a call's arguments may use another call's result, {"$hangar.ref": "<id>#<JSON Pointer>"}, read from that call's structuredContent (else its text parsed as JSON). Calls run as soon as what they reference has finished; if it failed, the call fails with dependency_failed. Example: [{"id": "s", "provider": "github", "tool": "search_repositories", "arguments": {"query": "mcp"}}, {"provider": "github", "tool": "get_repository", "arguments": {"full_name": {"$hangar.ref": "s#/items/0/full_name"}}}]. {"$hangar.literal": X} sends X as it is.

Large results: "select": ["/items/0/name"] returns only those parts; "max_result_bytes" cuts a result (truncated: true). Without them the results together are cut to ${MCP_RESULT_BYTES} bytes. hangar_result {batch_id, index} returns a cut or selected call's whole result for 10 minutes.`;

/**
 * `hangar_result`: the whole answer of a call that `hangar_call` trimmed (`select`, `max_result_bytes`),
 * exactly as the provider sent it, for 10 minutes after the batch.
 */
export const resultTool: HangarTool = {
  name: "hangar_result",
  title: "Whole result of a trimmed call",
  description:
    'Return the whole result of one call of a hangar_call batch whose result was cut (truncated: true) or narrowed with select, exactly as its tool answered. Kept for 10 minutes. Example: {"batch_id": "…", "index": 2}.',
  input: ResultRequestSchema,
  annotations: { title: "Whole result of a trimmed call", readOnlyHint: true, openWorldHint: false },
  async call({ hangar: { gateway } }: FrontDeps, args: unknown, _extra: Extra): Promise<CallToolResult> {
    const parsed = ResultRequestSchema.safeParse(args);
    if (!parsed.success) return failure(`Invalid arguments for hangar_result: ${parsed.error.issues[0]?.message}`);
    const { batch_id, index } = parsed.data;
    const kept = gateway.keptResults.get(batch_id, index);
    if (kept === undefined)
      return failure(
        `No result is kept for call ${index} of batch "${batch_id}": hangar_result keeps only results that hangar_call cut or selected, for 10 minutes`,
      );
    return kept as CallToolResult;
  },
};
