import type { JSONRPCMessage } from "@modelcontextprotocol/client";

/**
 * `value` as a JSON-RPC 2.0 message when its envelope is one (a request, a notification, a result or an
 * error response), else undefined. Only the envelope is checked, by hand: what a message carries is the
 * SDK client's to check (it classifies and validates every message it is given), so a provider's line is
 * not parsed against the whole protocol's schemas twice.
 */
export function asJsonRpcMessage(value: unknown): JSONRPCMessage | undefined {
  if (!isObject(value) || value.jsonrpc !== "2.0") return undefined;
  const hasId = "id" in value;
  if (hasId && !isId(value.id)) return undefined;
  if ("method" in value) {
    if (typeof value.method !== "string") return undefined;
    if (value.params !== undefined && !isObject(value.params)) return undefined;
    return value as JSONRPCMessage;
  }
  if (!hasId) return undefined;
  if ("result" in value) return isObject(value.result) ? (value as JSONRPCMessage) : undefined;
  const error = value.error;
  return isObject(error) && Number.isInteger(error.code) && typeof error.message === "string"
    ? (value as JSONRPCMessage)
    : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(id: unknown): boolean {
  return typeof id === "string" || (typeof id === "number" && Number.isInteger(id));
}
