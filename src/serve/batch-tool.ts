import type { CallToolResult } from "@modelcontextprotocol/server";
import { type BatchRequest, InvalidBatchError, MCP_RESULT_BYTES } from "../gateway/index.ts";
import type { BatchInput, BatchResult } from "../lib/types.ts";
import type { FrontDeps } from "./front-deps.ts";
import type { FrontBatch } from "./front-hangar.ts";
import { type Extra, failure, notifyProgress, settleProgress, structured, traceOf } from "./request-context.ts";

/**
 * `hangar_call`: runs the batch `input` through the library's `Hangar.stream` (the path of `hangar call`), one progress notification per finished call when asked. Its
 * results are capped at MCP_RESULT_BYTES unless the batch says otherwise, and what is trimmed is kept
 * for `hangar_result`. A 2026-07-28 client can be asked for input only by an `input_required` answer to
 * its own request, which one call of a batch cannot give: a call whose provider asks for input fails
 * with `input_required`, its message naming the tool to call by name instead.
 */
export async function hangarCall(deps: FrontDeps, input: unknown, extra: Extra): Promise<CallToolResult> {
  let batch: FrontBatch;
  try {
    batch = deps.hangar.stream(input as BatchInput, {
      signal: extra.signal,
      ...traceOf(extra),
      defaultMaxResultBytes: MCP_RESULT_BYTES,
      keepTrimmed: true,
      ...(extra.modern ? { refuseInput: true } : {}),
      // A 2025 client's providers are told what it declared (a 2026 client's, what Hangar's connection did:
      // a provider's request for input then fails the call with what it asked, above).
      ...(extra.clientCapabilities ? { clientCapabilities: extra.clientCapabilities } : {}),
    });
  } catch (error) {
    if (error instanceof InvalidBatchError) return failure(error.message);
    throw error;
  }
  // stream() accepted the input, so it is a well-formed batch: each call runs on its provider until its result.
  const calls = (input as BatchRequest).calls;
  const leave = calls.map((call) => deps.onUpstream?.(call.provider, extra));
  const token = extra._meta?.progressToken;
  let done = 0;
  try {
    for await (const result of batch) {
      leave[result.index]?.();
      done++;
      if (token !== undefined) {
        const message = `${result.provider}/${result.tool} ${result.ok ? "ok" : (result.error?.type ?? "failed")}`;
        await notifyProgress(extra, token, { progress: done, total: batch.total, message });
      }
    }
  } finally {
    for (const left of leave) left?.();
  }
  if (token !== undefined) await settleProgress(Promise.resolve());
  const result = await batch.result();
  return structured(extra.modern ? withCallByName(deps, result) : result);
}

/** `result` with each `input_required` failure saying how the client can answer it: the call by name. */
function withCallByName(deps: FrontDeps, result: BatchResult): BatchResult {
  if (!result.results.some((r) => r.error?.type === "input_required")) return result;
  const exposed = deps.hangar.catalog.exposed;
  return {
    ...result,
    results: result.results.map((r) => {
      if (r.error?.type !== "input_required") return r;
      const name = exposed.nameOf(r.provider, r.tool);
      const hint =
        name === undefined
          ? `; provider "${r.provider}" is not exposed, so its tools cannot be called by name`
          : `; call "${name}" by name (not in a batch) to answer it`;
      return { ...r, error: { ...r.error, message: `${r.error.message}${hint}` } };
    }),
  };
}
