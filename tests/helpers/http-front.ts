// `hangar serve --http`'s front in-process (issue 16 item 11): `createHttpApp` over a gateway, driven with
// `app.request()` as hono's own tests do: no socket, no process of Hangar's own.
import type { ResolvedProvider } from "../../src/config/types.ts";
import { Gateway } from "../../src/gateway/index.ts";
import { Hangar } from "../../src/lib/hangar.ts";
import { silentLogger } from "../../src/observability/log.ts";
import { createMetrics } from "../../src/observability/metrics.ts";
import { createHttpApp, type HttpApp, type HttpAppOptions } from "../../src/serve/http/index.ts";
import { configOf, demoProvider } from "./providers.ts";

/** The front, as if bound to 127.0.0.1:8000; dispose it to end its sessions and providers. */
export interface HttpFront extends AsyncDisposable {
  readonly http: HttpApp;
  readonly gateway: Gateway;
  /** A request from this machine (Host 127.0.0.1:8000 unless `init.headers` names another). */
  fetch(path: string, init?: RequestInit & { headers?: Record<string, string> }): Promise<Response>;
}

/** The front over `providers` (default: the demo providers demo and demo2), with metrics on /metrics. */
export function httpFront(
  providers: ResolvedProvider[] = [demoProvider("demo"), demoProvider("demo2")],
  options: Partial<HttpAppOptions> = {},
): HttpFront {
  const metrics = createMetrics({ processMetrics: false });
  const gateway = new Gateway(configOf(providers), { recorder: metrics.recorder });
  metrics.watch(gateway);
  const hangar = Hangar.over(gateway, silentLogger);
  const http = createHttpApp(
    { hangar, logger: silentLogger },
    { host: "127.0.0.1", port: () => 8000, metrics, ...options },
  );
  return {
    http,
    gateway,
    // Through `http.fetch`, as the server calls it; a string body declares its length, as every client's does.
    fetch: async (path, init = {}) =>
      await http.fetch(
        new Request(`http://127.0.0.1:8000${path}`, {
          ...init,
          headers: {
            host: "127.0.0.1:8000",
            ...(typeof init.body === "string" ? { "content-length": String(Buffer.byteLength(init.body)) } : {}),
            ...init.headers,
          },
        }),
      ),
    async [Symbol.asyncDispose]() {
      await http.sessions.close();
      await hangar.close();
    },
  };
}
