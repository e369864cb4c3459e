/**
 * A JSON-RPC error answered over HTTP for a request that never reached a server instance (no session,
 * too many sessions, shutting down): it carries the request's id when the body holds one readable id
 * (a single request), else `id: null`, as JSON-RPC says.
 */
export function rpcError(status: number, code: number, message: string, body?: unknown): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: requestIdOf(body) }, { status });
}

/** The id of a single JSON-RPC request body, if it has a valid one. */
export function requestIdOf(body: unknown): string | number | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const id = (body as { id?: unknown }).id;
  return typeof id === "string" || (typeof id === "number" && Number.isSafeInteger(id)) ? id : null;
}
