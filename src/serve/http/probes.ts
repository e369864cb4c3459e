import type { Gateway } from "../../gateway/index.ts";
import { PROVIDER_STATES, type ProviderState } from "../../pool/index.ts";

/** What `/metrics` serves; the observability module's `Metrics` fits it. */
export interface MetricsEndpoint {
  /** The `Content-Type` of `text()` (Prometheus text exposition format). */
  readonly contentType: string;
  /** The metrics now, in Prometheus text format. */
  text(): Promise<string>;
}

/** `GET /healthz`: the process is alive and answering. */
export function healthz(): Response {
  return Response.json({ status: "ok" });
}

/**
 * `GET /readyz`: 200 `{status: "ready", providers}` once the config is loaded and Hangar listens (a
 * cold provider is ready to be started on demand), 503 `{status: "shutting_down"}` once it stops.
 * `providers` counts providers by state (every state, 0 when none) and open circuits; `config` has the
 * applied config's hash and, while the last reload is one that failed, its error.
 */
export function readyz(gateway: Gateway, shuttingDown: boolean): Response {
  // Every state counted, 0 when no provider is in it: a probe reading `providers.ready` gets a number.
  const byState = Object.fromEntries(PROVIDER_STATES.map((state) => [state, 0])) as Record<ProviderState, number>;
  let circuitOpen = 0;
  for (const handle of gateway.handles.values()) {
    byState[handle.state]++;
    if (handle.breaker.state === "open") circuitOpen++;
  }
  const providers = { total: gateway.handles.size, ...byState, circuit_open: circuitOpen };
  // A reload that failed leaves the running config serving: ready, and the error says why it was not applied.
  const { hash, last_reload } = gateway.configRecord.status();
  const config = { hash, ...(last_reload?.error === undefined ? {} : { last_reload_error: last_reload.error }) };
  if (shuttingDown) return Response.json({ status: "shutting_down", providers, config }, { status: 503 });
  return Response.json({ status: "ready", providers, config });
}

/** `GET /metrics`: Prometheus text, or 503 when metrics are not enabled in this process. */
export async function metrics(endpoint: MetricsEndpoint | undefined): Promise<Response> {
  if (endpoint === undefined)
    return new Response("metrics not enabled\n", {
      status: 503,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  return new Response(await endpoint.text(), { headers: { "content-type": endpoint.contentType } });
}
