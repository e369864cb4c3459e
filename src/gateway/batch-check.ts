import { type BatchRequest, BatchRequestSchema, type CallRequest } from "./batch-schema.ts";

/** A batch request checked against BatchRequestSchema: its data, or the schema's issues. */
export type CheckedBatch = ReturnType<typeof BatchRequestSchema.safeParse>;

/**
 * Checks a batch request as `BatchRequestSchema.safeParse` does, with the same result: the request as the
 * schema outputs it (fresh objects, keys in the schema's order, `arguments` copied without `__proto__`),
 * or its issues. A plainly well-formed batch (the usual one) is checked by hand, ~20× faster than by the
 * schema; anything the hand check is not sure of (a `select`, an `undefined` field, a value at or past a
 * limit, an odd object) is left to the schema, which then gives the answer and the messages.
 */
export function checkBatch(input: unknown): CheckedBatch {
  const data = plainBatch(input);
  return data === undefined ? BatchRequestSchema.safeParse(input) : ({ success: true, data } as CheckedBatch);
}

const BATCH_KEYS = new Set(["calls", "max_concurrency", "timeout_s", "fail_fast", "max_result_bytes"]);
const CALL_KEYS = new Set(["provider", "tool", "arguments", "id", "timeout_s", "max_result_bytes"]);
/** The schema's limit of `timeout_s` (a day). */
const MAX_TIMEOUT_S = 86_400;

/** The batch as the schema would output it, when it is plainly well-formed; else undefined. */
function plainBatch(input: unknown): BatchRequest | undefined {
  if (!isPlainRecord(input)) return undefined;
  for (const key in input) if (!BATCH_KEYS.has(key) || input[key] === undefined) return undefined;
  const { calls, max_concurrency, timeout_s, fail_fast, max_result_bytes } = input;
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  if (max_concurrency !== undefined && !(Number.isSafeInteger(max_concurrency) && (max_concurrency as number) >= 1))
    return undefined;
  if (timeout_s !== undefined && !isTimeout(timeout_s)) return undefined;
  if (fail_fast !== undefined && typeof fail_fast !== "boolean") return undefined;
  if (max_result_bytes !== undefined && !isResultBytes(max_result_bytes)) return undefined;
  const out: CallRequest[] = new Array(calls.length);
  for (let i = 0; i < calls.length; i++) {
    const call = plainCall(calls[i]);
    if (call === undefined) return undefined;
    out[i] = call;
  }
  return {
    calls: out,
    ...(max_concurrency === undefined ? {} : { max_concurrency: max_concurrency as number }),
    ...(timeout_s === undefined ? {} : { timeout_s: timeout_s as number }),
    ...(fail_fast === undefined ? {} : { fail_fast: fail_fast as boolean }),
    ...(max_result_bytes === undefined ? {} : { max_result_bytes: max_result_bytes as number }),
  };
}

/** One call as the schema would output it, when it is plainly well-formed (and has no `select`); else undefined. */
function plainCall(call: unknown): CallRequest | undefined {
  if (!isPlainRecord(call)) return undefined;
  for (const key in call) if (!CALL_KEYS.has(key) || call[key] === undefined) return undefined;
  const { provider, tool, arguments: args, id, timeout_s, max_result_bytes } = call;
  if (typeof provider !== "string" || provider.length === 0) return undefined;
  if (typeof tool !== "string" || tool.length === 0) return undefined;
  if (id !== undefined && !(typeof id === "string" && id.length <= 256)) return undefined;
  if (timeout_s !== undefined && !isTimeout(timeout_s)) return undefined;
  if (max_result_bytes !== undefined && !isResultBytes(max_result_bytes)) return undefined;
  let copied: Record<string, unknown> | undefined;
  if (args !== undefined) {
    if (!isPlainRecord(args) || Object.getOwnPropertySymbols(args).length > 0) return undefined;
    copied = {};
    for (const key of Object.keys(args)) if (key !== "__proto__") copied[key] = args[key];
  }
  // The schema's key order: provider, tool, arguments, id, timeout_s, select, max_result_bytes.
  const out: Record<string, unknown> = { provider, tool };
  if (copied !== undefined) out.arguments = copied;
  if (id !== undefined) out.id = id;
  if (timeout_s !== undefined) out.timeout_s = timeout_s;
  if (max_result_bytes !== undefined) out.max_result_bytes = max_result_bytes;
  return out as CallRequest;
}

/** An object whose prototype is Object's (what JSON.parse makes), not an array or a class instance. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function isTimeout(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value > 0 && value <= MAX_TIMEOUT_S;
}

function isResultBytes(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Whether `input` takes the hand check (the schema is not needed to answer it). */
export function isPlainBatch(input: unknown): boolean {
  return plainBatch(input) !== undefined;
}
