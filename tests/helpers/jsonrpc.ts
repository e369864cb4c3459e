// Raw JSON-RPC messages for tests that speak to `hangar serve` without an SDK client.

/** A 2025-06-18 `initialize` request with no client capabilities. */
export function initializeRequest(id: string | number = 1): object {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
}

/** The notification a client sends once `initialize` is answered. */
export const INITIALIZED = { jsonrpc: "2.0", method: "notifications/initialized" } as const;

/** A `tools/call` of `hangar_call` with these calls. */
export function hangarCallRequest(id: string | number, calls: readonly object[]): object {
  return { jsonrpc: "2.0", id, method: "tools/call", params: { name: "hangar_call", arguments: { calls } } };
}

/** What a client writes to hangar's stdin for these messages: one JSON line each. */
export function stdinOf(messages: readonly object[]): string {
  return messages.map((message) => `${JSON.stringify(message)}\n`).join("");
}
