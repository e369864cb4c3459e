import { type Listener, listen } from "../runtime/index.ts";

/**
 * The loopback redirect of a sign-in (RFC 8252 §7.3): an HTTP server on 127.0.0.1 that waits for the
 * browser to come back to `/callback` with the authorization response, hands its parameters to
 * `hangar auth login`, and answers the browser once the sign-in has completed or failed.
 */
export interface LoopbackCallback extends AsyncDisposable {
  /** `http://127.0.0.1:<port>/callback`. */
  readonly redirectUrl: string;
  /** The query of the first request to `/callback` whose `state` is `state`; rejects when `signal` aborts. */
  wait(signal: AbortSignal): Promise<URLSearchParams>;
  /** Answers the waiting browser: signed in, or why not (default on dispose: not completed). */
  finish(outcome: { readonly ok: true } | { readonly ok: false; readonly reason: string }): void;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const PAGE = (title: string, text: string) =>
  new Response(
    `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif"><h1>${title}</h1><p>${escapeHtml(text)}</p>`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );

/** Listens on `127.0.0.1:<port>` (default: `preferredPort` when free, else any free port). */
export function listenForCallback(state: string, preferredPort?: number): LoopbackCallback {
  const answer = Promise.withResolvers<URLSearchParams>();
  const outcome = Promise.withResolvers<Response>();
  const fetch = (request: Request): Response | Promise<Response> => {
    const url = new URL(request.url);
    if (url.pathname !== "/callback") return new Response("Not found", { status: 404 });
    if (url.searchParams.get("state") !== state) {
      return PAGE("Sign-in not recognized", "This answer does not belong to the sign-in Hangar is waiting for.");
    }
    answer.resolve(url.searchParams);
    return outcome.promise;
  };
  const server = serve(fetch, preferredPort);
  const finish: LoopbackCallback["finish"] = (result) =>
    outcome.resolve(
      result.ok
        ? PAGE("Hangar is signed in", "You can close this tab and return to the terminal.")
        : PAGE("Hangar could not sign in", result.reason),
    );
  return {
    redirectUrl: `http://127.0.0.1:${server.port}/callback`,
    async wait(signal) {
      signal.throwIfAborted();
      const { promise: aborted, reject } = Promise.withResolvers<never>();
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        return await Promise.race([answer.promise, aborted]);
      } finally {
        signal.removeEventListener("abort", onAbort);
      }
    },
    finish,
    async [Symbol.asyncDispose]() {
      finish({ ok: false, reason: "The sign-in did not complete; see the terminal." });
      await server.stop(false);
    },
  };
}

function serve(fetch: (request: Request) => Response | Promise<Response>, preferredPort: number | undefined): Listener {
  if (preferredPort !== undefined) {
    try {
      return listen({ hostname: "127.0.0.1", port: preferredPort, fetch });
    } catch {
      // Taken: any free port will do (RFC 8252 asks authorization servers to allow any loopback port).
    }
  }
  return listen({ hostname: "127.0.0.1", port: 0, fetch });
}
