import { type Listener, listen } from "../runtime/index.ts";

/**
 * The loopback redirect of a sign-in (RFC 8252 §7.3): an HTTP server on 127.0.0.1 that waits for the
 * browser to come back to `/callback` with the authorization response, answers with a page that says
 * the tab can be closed, and hands the response's parameters to `hangar auth login`.
 */
export interface LoopbackCallback extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/callback`. */
  readonly redirectUrl: string;
  /** The query of the first request to `/callback` whose `state` is `state`; rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<URLSearchParams>;
}

const PAGE = (title: string, text: string) =>
  new Response(
    `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif"><h1>${title}</h1><p>${text}</p>`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );

/** Listens on `127.0.0.1:<port>` (default: `preferredPort` when free, else any free port). */
export function listenForCallback(state: string, preferredPort?: number): LoopbackCallback {
  const { promise, resolve } = Promise.withResolvers<URLSearchParams>();
  const fetch = (request: Request): Response => {
    const url = new URL(request.url);
    if (url.pathname !== "/callback") return new Response("Not found", { status: 404 });
    if (url.searchParams.get("state") !== state) {
      return PAGE("Sign-in not recognized", "This answer does not belong to the sign-in Hangar is waiting for.");
    }
    resolve(url.searchParams);
    return url.searchParams.has("error")
      ? PAGE("Sign-in refused", "The authorization server refused the sign-in; see the terminal.")
      : PAGE("Hangar received the sign-in", "You can close this tab and return to the terminal.");
  };
  const server = serve(fetch, preferredPort);
  return {
    redirectUrl: `http://127.0.0.1:${server.port}/callback`,
    async wait(signal) {
      signal.throwIfAborted();
      const aborted = new Promise<never>((_, reject) => {
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
      return Promise.race([promise, aborted]);
    },
    async [Symbol.asyncDispose]() {
      // Not forced: the browser is still being answered when a refused sign-in ends at once.
      await server.stop(false);
    },
  };
}

function serve(fetch: (request: Request) => Response, preferredPort: number | undefined): Listener {
  if (preferredPort !== undefined) {
    try {
      return listen({ hostname: "127.0.0.1", port: preferredPort, fetch });
    } catch {
      // Taken: any free port will do (RFC 8252 asks authorization servers to allow any loopback port).
    }
  }
  return listen({ hostname: "127.0.0.1", port: 0, fetch });
}
