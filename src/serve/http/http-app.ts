import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { messageOf } from "../../errors.ts";
import type { FrontDeps } from "../front-deps.ts";
import { relayCodec } from "../input-relay.ts";
import { BearerToken } from "./bearer-token.ts";
import { HostCheck, type HostCheckOptions } from "./host-check.ts";
import { JsonBodies, LATE } from "./json-body.ts";
import { McpEndpoint } from "./mcp-endpoint.ts";
import type { McpSessions } from "./mcp-sessions.ts";
import { healthz, type MetricsEndpoint, metrics, readyz } from "./probes.ts";
import { restBatch } from "./rest-batch.ts";
import type { SessionSeal } from "./session-seal.ts";

/** Options of `createHttpApp`; every field says its default. */
export interface HttpAppOptions extends HostCheckOptions {
  /** Bearer token every request must carry (default: none, which only a loopback bind allows). */
  readonly token?: string;
  /** Also require the token on /healthz, /readyz and /metrics (default false: probes stay open). */
  readonly protectHealth?: boolean;
  /** Largest request body accepted, in bytes; larger is a 413 (default 4 MiB). */
  readonly maxBodyBytes?: number;
  /** Served on /metrics (default: none, and /metrics answers 503 "metrics not enabled"). */
  readonly metrics?: MetricsEndpoint;
  /**
   * Told about each /mcp and /v1/call request once its body has arrived (a GET /mcp stream at once): it
   * runs now and may stay quiet for long, so lift the idle timeout (default: nothing). Gets the request
   * as the server received it.
   */
  readonly keepOpen?: (request: Request) => void;
  /** The longest a request body may take to arrive, in ms; slower is a 408 and the connection closes (default 30 000). */
  readonly bodyTimeoutMs?: number;
  /** At most this many MCP sessions at once (default 1000). */
  readonly maxSessions?: number;
  /** Seals 2025 session ids so that any replica serves them (default: none; `--session-key-file`). */
  readonly seal?: SessionSeal;
}

/** The HTTP front as a hono app that never listens by itself, and what shutting it down needs. */
export interface HttpApp {
  /**
   * Answers one request: a POST to `/mcp` that passes every check (Host/Origin, token, a declared
   * Content-Length within the limit) directly, everything else through `app`. What a server listens with.
   */
  fetch(request: Request): Response | Promise<Response>;
  /** The front as a hono app (every route, every check); `fetch` hands it all but the plain `/mcp` POSTs. */
  readonly app: Hono<HttpEnv>;
  /** `/mcp` in both eras; `close()` it at shutdown. */
  readonly mcp: McpEndpoint;
  /** The 2025-era sessions of `/mcp`. */
  readonly sessions: McpSessions;
  /** Answers /readyz with 503 and new MCP requests with 503 from now on. */
  drain(): void;
}

/** What the app keeps per request: the request as the server received it (body limits may wrap it). */
type HttpEnv = { Variables: { received: Request } };

const PROBES = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * Builds Hangar's HTTP front: `/mcp` (Streamable HTTP: 2026-07-28 requests without a session, 2025
 * clients with one session each), `POST /v1/call` (a
 * batch over REST, JSON or NDJSON), `/healthz`, `/readyz` and `/metrics`. Every request's Host and
 * Origin are checked (403), then its bearer token when one is set (401), then, on `/v1/call`, that it
 * is JSON (415), then its size (413), then that it arrives within the body timeout (408). Only then is
 * a request exempt from the idle timeout. The client's Authorization header goes no further than this
 * check.
 *
 * A POST to `/mcp`, most of what a client sends, skips hono's router and middleware when it passes every
 * check as it stands (Host/Origin, token, a Content-Length within the limit): the same checks, made once,
 * with nothing to route. A request that fails one, or declares no length (a streamed body, which hono's
 * body limit counts as it arrives), goes through the app, which answers it as before.
 */
export function createHttpApp(deps: FrontDeps, options: HttpAppOptions): HttpApp {
  const token = options.token === undefined ? undefined : new BearerToken(options.token);
  const maxBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 30_000;
  const mcp = new McpEndpoint(deps, {
    ...(options.maxSessions === undefined ? {} : { maxSessions: options.maxSessions }),
    ...(options.seal === undefined ? {} : { seal: options.seal }),
    // Every replica with the same session key (else token) accepts the others' multi-round-trip states.
    relay: relayCodec(options.seal?.replicaSecret ?? options.token),
    onFirstClient: () =>
      void deps.hangar.catalog
        .warmUp(warmUp.signal)
        .catch((error: unknown) => deps.logger.warn({ err: messageOf(error) }, "catalog warm-up failed")),
  });
  const warmUp = new AbortController();
  let draining = false;
  // The port is fixed once Hangar listens; asking the server for it on every request costs more than the check.
  let port = 0;
  const hosts = new HostCheck({ host: options.host, port: () => (port ||= options.port()) });
  const bodies = new JsonBodies(bodyTimeoutMs, deps.hangar.gateway.clock);
  const failed = (error: unknown, path: string, request: Request) => {
    // A client that went away mid-request (its body cut short) is nobody's failure, and nobody reads the 500.
    if (request.signal.aborted) deps.logger.debug({ err: messageOf(error), path }, "HTTP client went away mid-request");
    else deps.logger.error({ err: messageOf(error), path }, "HTTP request failed");
    return json({ error: `Hangar failed to answer: ${messageOf(error)}` }, 500);
  };

  const app = new Hono<HttpEnv>();
  app.onError((error, c) => failed(error, c.req.path, c.req.raw));
  app.notFound((c) =>
    c.json(
      { error: `No route ${c.req.method} ${c.req.path}; Hangar serves /mcp, /v1/call, /healthz, /readyz and /metrics` },
      404,
    ),
  );

  app.use(async (c, next) => {
    c.set("received", c.req.raw);
    const problem = hosts.problem(c.req.raw.headers);
    if (problem !== undefined) return c.json({ error: `Forbidden: ${problem} (DNS rebinding protection)` }, 403);
    if (
      token !== undefined &&
      (options.protectHealth || !PROBES.has(c.req.path)) &&
      !token.accepts(c.req.header("authorization") ?? null)
    ) {
      c.header("WWW-Authenticate", 'Bearer realm="hangar"');
      return c.json({ error: "Unauthorized: send the token as `Authorization: Bearer <token>`" }, 401);
    }
    await next();
  });

  const counted = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: `The request body is larger than ${maxBytes} bytes` }, 413),
  });
  const tooSlow = () =>
    Response.json(
      { error: `The request body did not arrive within ${bodyTimeoutMs / 1000} s` },
      { status: 408, headers: { connection: "close" } },
    );
  /**
   * hono's body limit, within the body timeout. A body sent without a length (chunked) is read whole by
   * the limit, to count it, before the route's `bodies.read` times it: its arrival is timed from here.
   * Late, it gets 408 and its connection is closed, which ends the read left behind.
   */
  const limit: MiddlewareHandler = async (c, next) => {
    const { body, headers } = c.req.raw;
    if (body === null || (headers.has("content-length") && !headers.has("transfer-encoding"))) return counted(c, next);
    const clock = deps.hangar.gateway.clock;
    const overdue = Promise.withResolvers<Response>();
    let late = false;
    const timer = clock.setTimeout(() => {
      late = true;
      overdue.resolve(tooSlow());
    }, bodyTimeoutMs);
    const reading = counted(c, async () => {
      clock.clearTimeout(timer);
      if (!late) await next();
    });
    reading.catch(() => {}); // Once the 408 is out, the read left behind fails with its connection.
    try {
      return await Promise.race([reading, overdue.promise]);
    } finally {
      clock.clearTimeout(timer);
    }
  };

  app.get("/healthz", () => healthz());
  app.get("/readyz", () => readyz(deps.hangar.gateway, draining));
  app.get("/metrics", () => metrics(options.metrics));

  const jsonOnly: MiddlewareHandler = async (c, next) => {
    if (!isJson(c.req.header("content-type")))
      return c.json({ error: "Send the batch as JSON, with `Content-Type: application/json`" }, 415);
    await next();
  };

  app.post("/v1/call", jsonOnly, limit, async (c) => {
    const body = await bodies.read(c.req.raw);
    if (body === LATE) return tooSlow();
    if (!body.ok) return c.json({ error: `The request body is not valid JSON: ${body.error}` }, 400);
    options.keepOpen?.(c.get("received"));
    return restBatch(deps.hangar, c.req.raw, body.value);
  });

  /** A POST to `/mcp` once every check has passed; `received` is the request as the server received it. */
  const mcpPost = async (received: Request, limited: Request) => {
    const request = withoutCredentials(limited);
    const body = await bodies.read(request);
    if (body === LATE) return tooSlow();
    if (!body.ok)
      return json({ jsonrpc: "2.0", error: { code: -32700, message: `Parse error: ${body.error}` }, id: null }, 400);
    options.keepOpen?.(received);
    const fast = mcp.takeFast(request, body.value);
    return fast === undefined ? mcp.handle(request, body.value) : await fast;
  };

  app.on(["GET", "POST", "DELETE"], "/mcp", limit, async (c) => {
    if (c.req.method === "POST") return mcpPost(c.get("received"), c.req.raw);
    options.keepOpen?.(c.get("received"));
    return mcp.handle(withoutCredentials(c.req.raw));
  });

  /** Whether `request` is a POST to `/mcp` that passes every check as it stands (else the app answers it). */
  const direct = (request: Request) => {
    if (request.method !== "POST" || pathOf(request.url) !== "/mcp") return false;
    const headers = request.headers;
    const length = headers.get("content-length");
    // As hono's body limit: a declared length counts only without a Transfer-Encoding, which would override it.
    if (length === null || !(Number(length) <= maxBytes) || headers.has("transfer-encoding")) return false;
    if (hosts.problem(headers) !== undefined) return false;
    return token === undefined || token.accepts(headers.get("authorization"));
  };

  return {
    fetch: (request) =>
      direct(request)
        ? mcpPost(request, request).catch((error: unknown) => failed(error, "/mcp", request))
        : app.fetch(request),
    app,
    mcp,
    sessions: mcp.sessions,
    drain() {
      draining = true;
      warmUp.abort();
    },
  };
}

/**
 * Whether a Content-Type is JSON. `/v1/call` accepts nothing else, so that a browser never sends it a
 * "simple" request (text/plain, a form) without a CORS preflight, which Hangar does not answer.
 */
function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";")[0]?.trim().toLowerCase() === "application/json";
}

/** A JSON response as hono's `c.json` writes it (`Content-Type: application/json`). */
function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** The path of a request's absolute URL, with its query if any (`/mcp`, `/v1/call?x=1`). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start < 0 ? "/" : url.slice(start);
}

/**
 * The request without its Authorization header: the client's credentials never reach a provider. The
 * header is deleted in place (copying the request costs several µs per call); a runtime whose request
 * headers are immutable gets a copy without it.
 */
function withoutCredentials(request: Request): Request {
  if (!request.headers.has("authorization")) return request;
  try {
    request.headers.delete("authorization");
    return request;
  } catch {
    const headers = new Headers(request.headers);
    headers.delete("authorization");
    return new Request(request, { headers });
  }
}
