import type { FetchLike } from "@modelcontextprotocol/client";

/**
 * Wraps `fetch` for the HTTP client transports: a JSON-RPC request whose `params._meta` carries a
 * W3C trace context (put there by tracing) also gets it as `traceparent` / `tracestate` headers, so
 * HTTP-instrumented servers continue the trace. Requests without one pass through untouched.
 */
export function fetchWithTraceHeaders(base: FetchLike = (url, init) => fetch(url, init)): FetchLike {
  return (url, init) => {
    const body = init?.body;
    const trace = typeof body === "string" && body.includes('"traceparent"') ? traceOf(body) : undefined;
    if (trace === undefined) return base(url, init);
    const headers = new Headers(init!.headers);
    headers.set("traceparent", trace.traceparent);
    if (trace.tracestate !== undefined) headers.set("tracestate", trace.tracestate);
    return base(url, { ...init, headers });
  };
}

/** The trace context in the `_meta` of the (first) request in a JSON-RPC body, if any. */
function traceOf(body: string): { traceparent: string; tracestate: string | undefined } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
    const meta = (message as { params?: { _meta?: Record<string, unknown> } } | null)?.params?._meta;
    if (typeof meta?.traceparent === "string") {
      return {
        traceparent: meta.traceparent,
        tracestate: typeof meta.tracestate === "string" ? meta.tracestate : undefined,
      };
    }
  }
  return undefined;
}
