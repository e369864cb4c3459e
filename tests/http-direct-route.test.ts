// The HTTP front's direct route (issue 18): a POST to /mcp that passes every check skips hono's router and
// middleware; every check still holds on it (Host/Origin 403, token 401, size 413, slow body 408, bad JSON
// 400), and what fails one is answered by the app as before. In-process through `HttpApp.fetch`, the
// function the server listens with.
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import type { HttpApp, HttpAppOptions } from "../src/serve/http/index.ts";
import { JsonBodies, LATE } from "../src/serve/http/json-body.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { httpFront } from "./helpers/http-front.ts";
import { INITIALIZED, initializeRequest } from "./helpers/jsonrpc.ts";
import { waitFor } from "./helpers/processes.ts";
import { demoProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

const TOKEN = "direct-route-token";

/** The front over one demo provider as if bound to 127.0.0.1:8000, and a spy on its hono app. */
function front(options: Partial<HttpAppOptions> = {}) {
  const made = httpFront([demoProvider("demo")], options);
  open.push(async () => await made[Symbol.asyncDispose]());
  return { http: made.http, gateway: made.gateway, app: spyOn(made.http.app, "fetch") };
}

/** A POST to /mcp as a client sends it: Host, Accept, JSON, and the body's length declared. */
function post(http: HttpApp, body: string | ReadableStream, headers: Record<string, string> = {}) {
  return http.fetch(
    new Request("http://127.0.0.1:8000/mcp", {
      method: "POST",
      headers: {
        host: "127.0.0.1:8000",
        accept: "application/json, text/event-stream",
        "content-type": "application/json",
        ...(typeof body === "string" ? { "content-length": String(Buffer.byteLength(body)) } : {}),
        ...headers,
      },
      body,
      ...(typeof body === "string" ? {} : { duplex: "half" }),
    } as RequestInit),
  );
}

/** Opens an initialized session through the direct route; gives the headers of a request in it. */
async function openSession(http: HttpApp, headers: Record<string, string> = {}): Promise<Record<string, string>> {
  const init = await post(http, JSON.stringify(initializeRequest()), headers);
  expect(init.status).toBe(200);
  const session = init.headers.get("mcp-session-id")!;
  await init.body?.cancel();
  const inSession = { ...headers, "mcp-session-id": session, "mcp-protocol-version": "2025-06-18" };
  expect((await post(http, JSON.stringify(INITIALIZED), inSession)).status).toBe(202);
  return inSession;
}

/** A `tools/call` of demo__echo with `message`, as a POST body. */
const echoCall = (id: number, message: string) =>
  JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "demo__echo", arguments: { message } } });

/** Opens a session and calls demo__echo on it through the direct route; gives the echo's response. */
async function echoInSession(http: HttpApp, headers: Record<string, string> = {}): Promise<Response> {
  return post(http, echoCall(2, "d"), await openSession(http, headers));
}

describe("the direct route of POST /mcp (issue 18)", () => {
  test("a POST to /mcp that passes every check is answered without hono's app", async () => {
    const { http, app } = front();
    const echo = await echoInSession(http);
    expect(echo.status).toBe(200);
    expect(((await echo.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text).toBe("d");
    expect(app).not.toHaveBeenCalled();
  });

  test("a foreign Host or Origin on a POST to /mcp is still refused with 403, by the app", async () => {
    const { http, app } = front();
    const body = JSON.stringify(initializeRequest());
    for (const headers of [{ host: "evil.example" }, { host: "127.0.0.1:8001" }, { origin: "http://evil.example" }]) {
      const response = await post(http, body, headers);
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: string }).error).toContain("DNS rebinding");
    }
    expect(app).toHaveBeenCalledTimes(3);
  });

  test("an accepted Host does not let a foreign Origin through after it", async () => {
    const { http } = front();
    const body = JSON.stringify(initializeRequest());
    const accepted = await post(http, body);
    expect(accepted.status).toBe(200);
    await accepted.body?.cancel();
    expect((await post(http, body, { origin: "http://evil.example" })).status).toBe(403);
    expect((await post(http, body, { host: "evil.example:8000" })).status).toBe(403);
  });

  test("with a token, a POST to /mcp without it or with a wrong one is 401; the right one takes the direct route", async () => {
    const { http, app } = front({ token: TOKEN });
    const body = JSON.stringify(initializeRequest());
    const missing = await post(http, body);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toStartWith("Bearer");
    expect((await post(http, body, { authorization: "Bearer wrong" })).status).toBe(401);
    expect(app).toHaveBeenCalledTimes(2);
    const echo = await echoInSession(http, { authorization: `Bearer ${TOKEN}` });
    expect(echo.status).toBe(200);
    await echo.body?.cancel();
    expect(app).toHaveBeenCalledTimes(2);
  });

  test("the client's Authorization header goes no further than the token check, on either route", async () => {
    const { http } = front({ token: TOKEN });
    const handle = spyOn(http.mcp, "handle");
    const auth = { authorization: `Bearer ${TOKEN}` };
    const direct = await post(http, JSON.stringify(initializeRequest()), auth);
    expect(direct.status).toBe(200);
    await direct.body?.cancel();
    // No declared length: through hono's app and its body limit.
    const viaApp = await post(http, new Blob([JSON.stringify(initializeRequest(2))]).stream(), auth);
    expect(viaApp.status).toBe(200);
    await viaApp.body?.cancel();
    expect(handle).toHaveBeenCalledTimes(2);
    for (const [request] of handle.mock.calls) expect(request.headers.get("authorization")).toBeNull();
  });

  test("a POST to /mcp declaring a body over the limit is refused with 413, and one without a length is counted", async () => {
    const { http } = front({ maxBodyBytes: 1000 });
    const big = JSON.stringify({ ...initializeRequest(), pad: "x".repeat(2000) });
    const declared = await post(http, big);
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toContain("larger than 1000 bytes");
    expect((await post(http, new Blob([big]).stream())).status).toBe(413);
  });

  test("a POST to /mcp with a Transfer-Encoding beside its Content-Length goes through the app's body limit", async () => {
    const { http, app } = front({ maxBodyBytes: 1000 });
    const big = JSON.stringify({ ...initializeRequest(), pad: "x".repeat(2000) });
    const response = await post(http, new Blob([big]).stream(), {
      "content-length": "10",
      "transfer-encoding": "chunked",
    });
    expect(response.status).toBe(413);
    expect(app).toHaveBeenCalledTimes(1);
  });

  test("a POST to /mcp whose body is not JSON is a -32700 parse error with status 400", async () => {
    const { http, app } = front();
    const response = await post(http, "{not json");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect(app).not.toHaveBeenCalled();
  });

  test("a POST to /mcp whose declared body does not arrive is answered 408 after the body timeout", async () => {
    const { http, app } = front({ bodyTimeoutMs: 200 });
    const stalled = new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode("{")) });
    const response = await post(http, stalled, { "content-length": "100" });
    expect(response.status).toBe(408);
    expect(response.headers.get("connection")).toBe("close");
    expect(app).not.toHaveBeenCalled();
  });
});

describe("fast-routed 2026 calls (issue 18)", () => {
  test("a 2026 call still running when the endpoint closes is cancelled, upstream too, and its response ends", async () => {
    const { http, gateway } = front();
    const params = {
      name: "demo__sleep",
      arguments: { ms: 30_000 },
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "direct-route", version: "1" },
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    };
    const body = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params });
    const headers = { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "demo__sleep" };
    const started = performance.now();
    const answered = post(http, body, headers);
    await waitFor(async () => gateway.load("demo").inFlight === 1, 10_000, "the call to run on the provider");
    await http.mcp.close();
    // Cancelled, it ends without an answer, as the SDK's stream would; the provider's call is cancelled too.
    const response = await answered;
    expect(await response.text()).toBe("");
    await waitFor(async () => gateway.load("demo").inFlight === 0, 10_000, "the call to end on the provider");
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe("JsonBodies: one timer for every body being read (issue 18)", () => {
  /** A request whose body arrives when `arrive` is called. */
  function pending(): { request: Request; arrive: (text: string) => void } {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
      },
    });
    const request = new Request("http://x/", { method: "POST", body, duplex: "half" } as RequestInit);
    return {
      request,
      arrive: (text) => {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    };
  }

  test("a body gives LATE once the timeout has passed since its reading began, and no sooner", async () => {
    const clock = new FakeClock();
    const bodies = new JsonBodies(1000, clock);
    const first = pending();
    const firstRead = bodies.read(first.request);
    await clock.advance(400);
    const second = pending();
    const secondRead = bodies.read(second.request);
    expect(clock.pending).toBe(1);
    await clock.advance(600);
    expect(await firstRead).toBe(LATE);
    second.arrive('{"a":1}');
    expect(await secondRead).toEqual({ ok: true, value: { a: 1 } });
  });

  test("the second body falls due at its own time, on the timer set again for it", async () => {
    const clock = new FakeClock();
    const bodies = new JsonBodies(1000, clock);
    const first = bodies.read(pending().request);
    await clock.advance(300);
    let secondLate = false;
    const second = bodies.read(pending().request).then((body) => {
      secondLate = body === LATE;
    });
    await clock.advance(700);
    expect(await first).toBe(LATE);
    expect(secondLate).toBe(false);
    await clock.advance(299);
    expect(secondLate).toBe(false);
    await clock.advance(1);
    await second;
    expect(secondLate).toBe(true);
    expect(clock.pending).toBe(0);
  });

  test("bodies that arrive in time set no timer beyond the first, and bad JSON says why", async () => {
    const clock = new FakeClock();
    const bodies = new JsonBodies(1000, clock);
    for (let i = 0; i < 5; i++) {
      const body = pending();
      const read = bodies.read(body.request);
      body.arrive(String(i));
      expect(await read).toEqual({ ok: true, value: i });
    }
    expect(clock.pending).toBe(1);
    await clock.advance(1000);
    expect(clock.pending).toBe(0);
    const bad = pending();
    const read = bodies.read(bad.request);
    bad.arrive("{");
    const result = await read;
    expect(result !== LATE && !result.ok && result.error.length > 0).toBe(true);
  });
});

describe("a fast-routed call's cancellation over HTTP (issue 18)", () => {
  test("a call in a session makes one abort controller, its deadline's, and none for its own cancellation", async () => {
    const { http } = front();
    // A first call warms the provider (its start makes controllers of its own).
    expect((await echoInSession(http)).status).toBe(200);
    const inSession = await openSession(http);
    const Original = globalThis.AbortController;
    let controllers = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        controllers++;
      }
    };
    let echo: Response;
    try {
      echo = await post(http, echoCall(7, "c"), inSession);
    } finally {
      globalThis.AbortController = Original;
    }
    expect(echo.status).toBe(200);
    expect(((await echo.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text).toBe("c");
    expect(controllers).toBe(1);
  });
});
