import type { CallRequest, CallResult, ProviderAnswer } from "./batch-schema.ts";
import { parsePointer } from "./json-pointer.ts";
import { pointInto } from "./result-document.ts";

/**
 * What `hangar_call` over MCP caps a batch's results at when the batch sets no `max_result_bytes`: 48 KiB
 * of `result`s as JSON. Claude Code refuses a tool result past 25,000 tokens (MAX_MCP_OUTPUT_TOKENS) and
 * warns past 10,000; JSON with escaped text runs 3–4 bytes a token, so 48 KiB is ~12–16k tokens, leaving
 * room for the rest of the answer (ids, timings, errors: ~150 bytes a call).
 */
export const MCP_RESULT_BYTES = 48 * 1024;

/** Told the untouched answer of a call whose result was trimmed, with its size as JSON. */
export type KeepTrimmed = (index: number, answer: ProviderAnswer, bytes: number) => void;

/**
 * Applies a batch's `select` and `max_result_bytes` to its results. When a call settles: its `select`,
 * then its own `max_result_bytes`. The batch's limit (or the front's default) is shared by the calls
 * without their own: over the whole batch max-min fairly (a result smaller than an equal share keeps all
 * of it, and what it leaves goes to the larger ones), or, for results streamed one by one, in equal
 * shares. 0 means no limit. Every answer that a trimmed result hides is told to `keep`.
 */
export class ResultTrimmer {
  private readonly budget: number;
  private readonly shared: number;

  constructor(
    private readonly calls: readonly CallRequest[],
    batchLimit: number | undefined,
    private readonly keep: KeepTrimmed = () => {},
  ) {
    this.budget = batchLimit || Number.POSITIVE_INFINITY;
    this.shared = calls.filter((call) => call.max_result_bytes === undefined).length;
  }

  /** Whether anything can be trimmed at all (no select, no limit: results pass untouched). */
  get active(): boolean {
    return Number.isFinite(this.budget) || this.calls.some((c) => c.select !== undefined || c.max_result_bytes);
  }

  /** A call's result as it settles: its `select` applied, then its own `max_result_bytes`. */
  settled(result: CallResult): CallResult {
    const call = this.calls[result.index]!;
    let out = result;
    if (call.select !== undefined && result.ok && result.result !== undefined) {
      this.keep(result.index, result.result, jsonBytes(result.result));
      out = select(result, call.select);
    }
    return call.max_result_bytes ? this.cut(out, call.max_result_bytes) : out;
  }

  /** A settled result sent on its own (a stream): a call without its own limit gets an equal share. */
  streamed(result: CallResult): CallResult {
    if (!this.sharing(result) || !Number.isFinite(this.budget)) return result;
    return this.cut(result, Math.floor(this.budget / this.shared));
  }

  /** The settled results of the whole batch, in call order, with the batch's limit shared max-min fairly. */
  whole(results: readonly CallResult[]): CallResult[] {
    if (!Number.isFinite(this.budget)) return [...results];
    const sized = results
      .filter((r) => this.sharing(r))
      .map((r) => ({ index: r.index, bytes: payloadBytes(r) }))
      .sort((a, b) => a.bytes - b.bytes);
    let left = this.budget;
    let share = Number.POSITIVE_INFINITY;
    for (let i = 0; i < sized.length; i++) {
      const fair = Math.floor(left / (sized.length - i));
      if (sized[i]!.bytes > fair) {
        share = fair;
        break;
      }
      left -= sized[i]!.bytes;
    }
    return results.map((r) => (this.sharing(r) ? this.cut(r, share) : r));
  }

  /** Whether a result takes part in sharing the batch's limit. */
  private sharing(result: CallResult): boolean {
    return this.calls[result.index]!.max_result_bytes === undefined;
  }

  /** `result` with its payload (`selected`, else `result`) cut to `limit` bytes of JSON, if it is larger. */
  private cut(result: CallResult, limit: number): CallResult {
    if (!Number.isFinite(limit) || result.truncated) return result;
    const payload = result.selected ?? result.result;
    if (payload === undefined) return result;
    const bytes = jsonBytes(payload);
    if (bytes <= limit) return result;
    if (result.selected === undefined) this.keep(result.index, result.result!, bytes);
    const text = result.selected === undefined ? textOf(result.result!) : JSON.stringify(result.selected);
    return withPayload(result, {
      result: previewOf(text, limit, result.result?.isError === true),
      truncated: true,
      original_bytes: bytes,
    });
  }
}

/** A successful result with only the values at `pointers` (those that find one), by pointer. */
function select(result: CallResult, pointers: readonly string[]): CallResult {
  const selected: Record<string, unknown> = {};
  for (const pointer of pointers) {
    const tokens = parsePointer(pointer);
    if (typeof tokens === "string") continue; // the batch's schema refused it already
    const hit = pointInto(result.result!, tokens);
    if (hit.found) selected[pointer] = hit.value;
  }
  return withPayload(result, { selected });
}

/** What a result shows of its call's answer. */
type Payload = Pick<CallResult, "result" | "selected" | "truncated" | "original_bytes">;

/** `result` showing `payload` instead of what it showed, its fields in the contract's order. */
function withPayload(result: CallResult, payload: Payload): CallResult {
  const { index, id, provider, tool, ok, error, elapsed_ms, attempts } = result;
  return {
    index,
    ...(id === undefined ? {} : { id }),
    provider,
    tool,
    ok,
    ...payload,
    ...(error === undefined ? {} : { error }),
    elapsed_ms,
    attempts,
  };
}

/** The size of `value` as JSON text, in UTF-8 bytes. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

function payloadBytes(result: CallResult): number {
  const payload = result.selected ?? result.result;
  return payload === undefined ? 0 : jsonBytes(payload);
}

/** An answer as one text: its text contents joined, else its structuredContent (or content) as JSON. */
function textOf(answer: ProviderAnswer): string {
  const texts = (answer.content ?? []).flatMap((c) => (c.type === "text" ? [c.text] : []));
  if (texts.length > 0) return texts.join("\n");
  return JSON.stringify(answer.structuredContent ?? answer.content ?? null);
}

/**
 * A CallToolResult holding the longest start of `text` whose JSON fits in `limit` bytes (never splitting
 * a character), `isError` kept; a binary search over the length, so linear-logarithmic in `limit`.
 */
function previewOf(text: string, limit: number, isError: boolean): ProviderAnswer {
  const shell = (t: string): ProviderAnswer => ({
    content: [{ type: "text", text: t }],
    ...(isError ? { isError: true } : {}),
  });
  const room = limit - jsonBytes(shell(""));
  let low = 0;
  let high = Math.max(0, Math.min(text.length, room));
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonBytes(text.slice(0, mid)) - 2 <= room) low = mid;
    else high = mid - 1;
  }
  let cut = low;
  const last = text.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
  return shell(text.slice(0, cut));
}
