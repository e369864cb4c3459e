// One 2026-07-28 request over HTTP, as a sessionless client sends it (the `_meta` envelope, the standard
// headers), and its answer: the JSON body, or the last message of an SSE stream.

/** Options of `modernRequest`; every field says its default. */
export interface ModernRequestOptions {
  /** The client's declared capabilities (default none). */
  readonly capabilities?: Record<string, unknown>;
  /** More headers (default none), e.g. `Mcp-Param-*`. */
  readonly headers?: Record<string, string>;
}

/** Sends `method` with `params` to `${base}/mcp` and resolves with the HTTP status and the JSON-RPC answer. */
export async function modernRequest(
  base: string,
  id: number,
  method: string,
  params: Record<string, unknown>,
  options: ModernRequestOptions = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...(typeof params.name === "string" ? { "mcp-name": params.name } : {}),
      ...(typeof params.taskId === "string" ? { "mcp-name": params.taskId } : {}),
      ...options.headers,
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientInfo": { name: "hangar-tests", version: "1.0.0" },
          "io.modelcontextprotocol/clientCapabilities": options.capabilities ?? {},
        },
      },
    }),
  });
  const text = await response.text();
  const data = text.includes("data:")
    ? text
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .at(-1)!
        .slice(5)
    : text;
  return { status: response.status, body: JSON.parse(data) as Record<string, unknown> };
}
