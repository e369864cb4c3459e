import type { Gateway } from "../gateway/index.ts";
import { listen } from "../runtime/index.ts";
import { hostProblem } from "./http/host-check.ts";
import { healthz, type MetricsEndpoint, metrics, readyz } from "./http/probes.ts";

/** Options of `listenProbes`; every field says its default. */
export interface ProbeListenerOptions {
  readonly gateway: Gateway;
  readonly metrics: MetricsEndpoint;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
}

/**
 * `/metrics`, `/healthz` and `/readyz` on 127.0.0.1, for `hangar serve --metrics-port` over stdio (the
 * HTTP front serves them itself). Loopback only, Host checked against DNS rebinding; read-only.
 */
export function listenProbes(options: ProbeListenerOptions): { url: string; stop(): void } {
  let stopping = false;
  const server = listen({
    hostname: "127.0.0.1",
    port: options.port,
    fetch: async (request) => {
      const problem = hostProblem(request.headers, { host: "127.0.0.1", port: () => server.port });
      if (problem) return Response.json({ error: `Forbidden: ${problem}` }, { status: 403 });
      if (request.method !== "GET") return Response.json({ error: "Only GET is served here" }, { status: 405 });
      switch (new URL(request.url).pathname) {
        case "/metrics":
          return metrics(options.metrics);
        case "/healthz":
          return healthz();
        case "/readyz":
          return readyz(options.gateway, stopping);
        default:
          return Response.json({ error: "Served here: /metrics, /healthz, /readyz" }, { status: 404 });
      }
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop() {
      stopping = true;
      void server.stop(true);
    },
  };
}
