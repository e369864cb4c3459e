import { ClientRequestSchema } from "@modelcontextprotocol/core";
import { ProtocolErrorCode as ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/server";

/** The schema of each request a client may send, by method, to answer bad params with Invalid params. */
const REQUEST_SCHEMAS = new Map(
  ClientRequestSchema.options.map((schema) => [schema.shape.method.value as string, schema]),
);

/** A line's verdict: the message to handle, or the JSON-RPC error to answer with. */
export type Checked =
  | { readonly ok: true; readonly message: JSONRPCMessage }
  | { readonly ok: false; readonly id: string | number | null; readonly code: number; readonly error: string };

/**
 * Checks one line from the client: JSON, a single JSON-RPC 2.0 message (not a batch), and for a request
 * Hangar serves, well-formed params. Written by hand for the envelope and `tools/call` (the hot path:
 * the SDK validates the request again), with the SDK's own schemas for other requests.
 */
export function checkLine(line: string): Checked {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return fail(null, ErrorCode.ParseError, `Parse error: ${(error as Error).message}`);
  }
  if (Array.isArray(value))
    return fail(
      null,
      ErrorCode.InvalidRequest,
      "Invalid Request: JSON-RPC batches are not supported; send one message per line",
    );
  if (!isObject(value) || value.jsonrpc !== "2.0")
    return fail(
      idOf(value),
      ErrorCode.InvalidRequest,
      'Invalid Request: not a JSON-RPC 2.0 message (jsonrpc must be "2.0")',
    );
  const id = value.id;
  const hasId = "id" in value;
  // A safe integer: the SDK's schemas drop a request whose id JSON numbers cannot hold exactly, unanswered.
  if (hasId && typeof id !== "string" && (typeof id !== "number" || !Number.isSafeInteger(id))) {
    return fail(
      null,
      ErrorCode.InvalidRequest,
      "Invalid Request: id must be a string or an integer of at most 2^53 − 1",
    );
  }
  if ("method" in value) {
    if (typeof value.method !== "string")
      return fail(idOf(value), ErrorCode.InvalidRequest, "Invalid Request: method must be a string");
    if ("params" in value && !isObject(value.params))
      return fail(idOf(value), ErrorCode.InvalidRequest, "Invalid Request: params must be an object");
    if (hasId) {
      const problem = paramsProblem(value.method, value);
      if (problem)
        return fail(id as string | number, ErrorCode.InvalidParams, `Invalid params for ${value.method}: ${problem}`);
    }
    return { ok: true, message: value as JSONRPCMessage };
  }
  const answer =
    hasId && (("result" in value && isObject(value.result)) || ("error" in value && isObject(value.error)));
  if (!answer)
    return fail(
      idOf(value),
      ErrorCode.InvalidRequest,
      "Invalid Request: neither a request, a notification nor a response",
    );
  return { ok: true, message: value as JSONRPCMessage };
}

/** What is wrong with a request's params, if anything. */
function paramsProblem(method: string, request: Record<string, unknown>): string | undefined {
  if (method === "tools/call") {
    const params = request.params;
    if (!isObject(params)) return "params: expected an object";
    if (typeof params.name !== "string") return "params.name: expected a string";
    if (params.arguments !== undefined && !isObject(params.arguments)) return "params.arguments: expected an object";
    if (params._meta !== undefined && !isObject(params._meta)) return "params._meta: expected an object";
    return undefined;
  }
  const checked = REQUEST_SCHEMAS.get(method)?.safeParse(request);
  if (!checked || checked.success) return undefined;
  const issue = checked.error.issues[0];
  return `${issue?.path.join(".")}: ${issue?.message}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function idOf(value: unknown): string | number | null {
  const id = isObject(value) ? value.id : undefined;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

function fail(id: string | number | null, code: number, error: string): Checked {
  return { ok: false, id, code, error };
}
