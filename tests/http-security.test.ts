// The HTTP front's guards, over real HTTP against the compiled binary: bearer token, body size, the refusal
// to bind beyond loopback without a token, and credentials that never reach a provider; DNS rebinding
// (Host/Origin) in-process through `createHttpApp`'s `app.request()`.
import { describe, expect, test } from "bun:test";
import { lines, runHangar, sandbox } from "./helpers/e2e.ts";
import { startFixtureServer } from "./helpers/http.ts";
import { httpFront } from "./helpers/http-front.ts";
import { initializeRaw, startHttpHangar } from "./helpers/http-serve.ts";
import { initializeRequest } from "./helpers/jsonrpc.ts";
import { demoProvider } from "./helpers/providers.ts";
import { textOf } from "./helpers/serve.ts";

const TIMEOUT_MS = 20_000;
const TOKEN = "s3cret-token-for-tests";
const JSON_BODY = { "content-type": "application/json" };
const BATCH = JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "hi" } }]);

describe("hangar serve --http: bearer token", () => {
  test(
    "with a token set, a request without it or with a wrong one is 401, and the right one passes",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box, ["--token", TOKEN]);
      const missing = await initializeRaw(hangar.base);
      expect(missing.status).toBe(401);
      expect(missing.headers.get("www-authenticate")).toStartWith("Bearer");
      expect(((await missing.json()) as { error: string }).error).toContain("Unauthorized");
      expect((await initializeRaw(hangar.base, { authorization: "Bearer wrong" })).status).toBe(401);
      expect((await initializeRaw(hangar.base, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
      expect((await fetch(`${hangar.base}/v1/call`, { method: "POST", headers: JSON_BODY, body: BATCH })).status).toBe(
        401,
      );
      const ok = await fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        body: BATCH,
        headers: { ...JSON_BODY, authorization: `Bearer ${TOKEN}` },
      });
      expect(ok.status).toBe(200);
      const { client } = await hangar.connect({ headers: { authorization: `Bearer ${TOKEN}` } });
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("hangar_call");
    },
    TIMEOUT_MS,
  );

  test(
    "$HANGAR_TOKEN sets the token; probes stay open unless --protect-health",
    async () => {
      using box = sandbox();
      await using open = await startHttpHangar(box, [], { HANGAR_TOKEN: TOKEN });
      expect((await fetch(`${open.base}/v1/call`, { method: "POST", headers: JSON_BODY, body: BATCH })).status).toBe(
        401,
      );
      expect((await fetch(`${open.base}/healthz`)).status).toBe(200);
      expect((await fetch(`${open.base}/readyz`)).status).toBe(200);
      await using guarded = await startHttpHangar(box, ["--protect-health"], { HANGAR_TOKEN: TOKEN });
      expect((await fetch(`${guarded.base}/healthz`)).status).toBe(401);
      expect((await fetch(`${guarded.base}/metrics`)).status).toBe(401);
      expect((await fetch(`${guarded.base}/healthz`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
        200,
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a non-loopback bind without a token refuses to start: exit 2 and one sentence",
    async () => {
      using box = sandbox();
      const run = await runHangar(["serve", "--http", "--host", "0.0.0.0", "--port", "0"], box.options());
      expect(run.code).toBe(2);
      expect(lines(run.stderr)).toEqual([
        "hangar: Refusing to listen on 0.0.0.0 without a bearer token: pass --token or --token-file, or set $HANGAR_TOKEN or $HANGAR_TOKEN_FILE (or bind 127.0.0.1)",
      ]);
    },
    TIMEOUT_MS,
  );

  test(
    "the client's Authorization header is never forwarded to a remote provider",
    async () => {
      using box = sandbox();
      await using remote = await startFixtureServer();
      box.write("hangar.yaml", `providers:\n  - id: remote\n    url: ${remote.url("/mcp")}\n`);
      await using hangar = await startHttpHangar(box, ["--token", TOKEN]);
      const response = await fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        headers: { ...JSON_BODY, authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify([{ provider: "remote", tool: "echo", arguments: { message: "through" } }]),
      });
      const batch = (await response.json()) as { ok: boolean; results: { result: unknown }[] };
      expect(batch.ok).toBe(true);
      expect(textOf(batch.results[0]!.result)).toBe("through");
      const seen = (await (await fetch(remote.url("/seen-headers"))).json()) as Record<string, string>[];
      expect(seen.length).toBeGreaterThan(0);
      expect(JSON.stringify(seen)).not.toContain(TOKEN);
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve --http: DNS rebinding and size limits", () => {
  test("a foreign Host or Origin is refused with 403; localhost, 127.0.0.1 and [::1] on the port pass", async () => {
    // The Host and Origin checks read only the request's headers: in-process (issue 16 item 11).
    await using front = httpFront([demoProvider("demo")]);
    const initialize = (headers: Record<string, string>) =>
      front.fetch("/mcp", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
        body: JSON.stringify(initializeRequest()),
      });
    for (const host of ["evil.example", "evil.example:8000", "127.0.0.1:8001"]) {
      const response = await initialize({ host });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: string }).error).toContain("DNS rebinding");
    }
    expect((await initialize({ origin: "http://evil.example" })).status).toBe(403);
    expect((await front.fetch("/healthz", { headers: { host: "evil.example" } })).status).toBe(403);
    for (const host of ["localhost:8000", "127.0.0.1:8000", "[::1]:8000"]) {
      const response = await initialize({ host, origin: `http://${host}` });
      expect(response.status).toBe(200);
      await response.body?.cancel();
    }
  });

  test(
    "a body over 4 MiB is refused with 413 on /mcp and /v1/call, declared or streamed",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box);
      const big = JSON.stringify({
        calls: [{ provider: "demo", tool: "echo", arguments: { message: "x".repeat(4 * 1024 * 1024) } }],
      });
      const rest = await fetch(`${hangar.base}/v1/call`, { method: "POST", headers: JSON_BODY, body: big });
      expect(rest.status).toBe(413);
      expect(((await rest.json()) as { error: string }).error).toContain("larger than 4194304 bytes");
      const mcp = await fetch(`${hangar.base}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: big,
      });
      expect(mcp.status).toBe(413);
      const chunks = new Blob([big]).stream();
      const streamed = await fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        headers: JSON_BODY,
        body: chunks,
        duplex: "half",
      } as RequestInit);
      expect(streamed.status).toBe(413);
    },
    TIMEOUT_MS,
  );
});

/** What a raw connection got back, and when the server closed it (ms after the request's head was sent). */
interface RawExchange {
  readonly response: string;
  readonly closedAfterMs: number | undefined;
}

/**
 * Sends a request head announcing a 1,000-byte body (`chunked`: a chunked body, of no length), then only
 * `start` of it, then (with `trickleMs`) one more byte every `trickleMs`; resolves when the server closes
 * the connection or after `giveUpMs`.
 */
async function slowBody(
  port: number,
  path: string,
  options: { start: string; trickleMs?: number; giveUpMs: number; chunked?: boolean },
): Promise<RawExchange> {
  let response = "";
  const sent = Date.now();
  const closed = Promise.withResolvers<number>();
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data: (_, chunk) => {
        response += chunk.toString();
      },
      close: () => closed.resolve(Date.now() - sent),
      error: () => closed.resolve(Date.now() - sent),
    },
  });
  const chunk = (text: string) => (options.chunked ? `${text.length.toString(16)}\r\n${text}\r\n` : text);
  const length = options.chunked ? "Transfer-Encoding: chunked" : "Content-Length: 1000";
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Accept: application/json, text/event-stream\r\n${length}\r\n\r\n${chunk(options.start)}`,
  );
  const trickle =
    options.trickleMs === undefined ? undefined : setInterval(() => socket.write(chunk(" ")), options.trickleMs);
  const timer = setTimeout(() => closed.resolve(-1), options.giveUpMs);
  const after = await closed.promise;
  clearInterval(trickle);
  clearTimeout(timer);
  socket.end();
  return { response, closedAfterMs: after === -1 ? undefined : after };
}

describe("hangar serve --http: request bodies that do not arrive (issue 9 item 12)", () => {
  test.each(["/v1/call", "/mcp"])(
    "a body that stops arriving on %s is answered 408 and its connection closed after --body-timeout",
    async (path) => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box, ["--body-timeout", "1"]);
      const exchange = await slowBody(hangar.port, path, { start: '{"calls": [', giveUpMs: 8_000 });
      expect(exchange.response).toStartWith("HTTP/1.1 408");
      expect(exchange.response).toContain("The request body did not arrive within 1 s");
      expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(900);
      // Well before Bun's own idle timeout (10–14 s after the last byte), which the old code lifted anyway.
      expect(exchange.closedAfterMs).toBeLessThan(8_000);
    },
    TIMEOUT_MS,
  );

  test(
    "a body trickled a byte at a time, which the idle timeout never cuts, is cut at the body timeout",
    async () => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box, ["--body-timeout", "2"]);
      const exchange = await slowBody(hangar.port, "/v1/call", { start: "[", trickleMs: 200, giveUpMs: 10_000 });
      expect(exchange.response).toStartWith("HTTP/1.1 408");
      expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(1_900);
      expect(exchange.closedAfterMs).toBeLessThan(10_000);
    },
    TIMEOUT_MS,
  );

  test.each(["/v1/call", "/mcp"])(
    "a chunked body (no length) trickled on %s is cut at the body timeout too",
    async (path) => {
      using box = sandbox();
      await using hangar = await startHttpHangar(box, ["--body-timeout", "2"]);
      const exchange = await slowBody(hangar.port, path, {
        start: "[",
        trickleMs: 200,
        giveUpMs: 10_000,
        chunked: true,
      });
      expect(exchange.response).toStartWith("HTTP/1.1 408");
      expect(exchange.response).toContain("The request body did not arrive within 2 s");
      expect(exchange.closedAfterMs).toBeGreaterThanOrEqual(1_900);
      expect(exchange.closedAfterMs).toBeLessThan(10_000);
    },
    TIMEOUT_MS,
  );

  test(
    "--body-timeout takes a positive number of seconds, and only with --http",
    async () => {
      using box = sandbox();
      const bad = await runHangar(["serve", "--http", "--port", "0", "--body-timeout", "0"], box.options());
      expect(bad.code).toBe(2);
      expect(lines(bad.stderr)).toEqual([
        'hangar: --body-timeout must be a number of seconds above 0 and at most 86400, not "0"',
      ]);
      const stdio = await runHangar(["serve", "--body-timeout", "5"], box.options());
      expect(stdio.code).toBe(2);
      expect(stdio.stderr).toContain("go with --http");
    },
    TIMEOUT_MS,
  );
});
