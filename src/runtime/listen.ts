import { bun, deno } from "./host.ts";

/** Options of `listen`. */
export interface ListenOptions {
  readonly hostname: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Seconds, 1–255, a connection may stay quiet before Bun closes it (default 10; Deno has no such timeout). */
  readonly idleTimeoutS?: number;
  /** Answers one request (a hono app's `fetch` fits). */
  readonly fetch: (request: Request) => Response | Promise<Response>;
  /** Told of an error `fetch` threw or rejected with; the client gets a bare 500 (default: nobody is told). */
  readonly onError?: (error: unknown) => void;
}

/** What a client gets when the handler failed: the status and nothing of the error. */
function internalError(): Response {
  return new Response("Internal Server Error", { status: 500, headers: { "content-type": "text/plain" } });
}

/** An HTTP server listening on a TCP port. */
export interface Listener {
  /** The port it listens on (the one picked, for port 0). */
  readonly port: number;
  /** Exempts a long, possibly quiet request (an SSE stream) from the server's idle timeout. */
  keepOpen(request: Request): void;
  /** Stops accepting connections; resolves once running requests end, or at once with `force`. */
  stop(force: boolean): Promise<void>;
}

/**
 * Listens with the runtime's own server, Bun.serve or Deno.serve (both take a fetch handler, so the hono
 * app runs unchanged). Throws when the address cannot be bound (the message says "in use" when taken).
 */
export function listen(options: ListenOptions): Listener {
  if (bun) {
    const server = bun.serve({
      hostname: options.hostname,
      port: options.port,
      idleTimeout: options.idleTimeoutS ?? 10,
      // Bun's development mode (its default unless NODE_ENV=production) answers a handler's uncaught error
      // with an HTML page holding the message and lines of the bundled source: a bare 500 instead.
      development: false,
      fetch: options.fetch,
      error: (error) => {
        options.onError?.(error);
        return internalError();
      },
    });
    return {
      get port() {
        return server.port ?? options.port;
      },
      keepOpen: (request) => server.timeout(request, 0),
      stop: async (force) => await server.stop(force),
    };
  }
  if (!deno) throw new Error("Hangar runs on Bun or Deno: this runtime has neither Bun.serve nor Deno.serve");
  const closeAll = new AbortController();
  const server = deno.serve({
    hostname: options.hostname,
    port: options.port,
    signal: closeAll.signal,
    onListen: () => {}, // Deno would print "Listening on …"; the caller says where it listens.
    handler: options.fetch,
    onError: (error) => {
      options.onError?.(error);
      return internalError();
    },
  });
  return {
    port: server.addr.port,
    keepOpen: () => {}, // Deno.serve has no idle timeout for a request that is being answered.
    stop: async (force) => {
      if (force) closeAll.abort();
      else await server.shutdown();
      await server.finished;
    },
  };
}
