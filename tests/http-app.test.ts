// The HTTP front driven in-process with `app.request()`: what needs no socket or process of its own.
import { afterEach, describe, expect, test } from "bun:test";
import type { Gateway } from "../src/gateway/index.ts";
import type { HttpApp, HttpAppOptions } from "../src/serve/http/index.ts";
import { httpFront } from "./helpers/http-front.ts";
import { demoProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/** The HTTP front on a gateway with one demo provider, as if bound to 127.0.0.1:8000. */
function front(options: Partial<HttpAppOptions> = {}): { http: HttpApp; gateway: Gateway } {
  const made = httpFront([demoProvider("demo")], options);
  open.push(async () => await made[Symbol.asyncDispose]());
  return { http: made.http, gateway: made.gateway };
}

const URL_BASE = "http://127.0.0.1:8000";
/** A request as a client on this machine sends it (Host names the server, as the Host check needs). */
function request(http: HttpApp, path: string, init: RequestInit & { headers?: Record<string, string> }) {
  return http.app.request(`${URL_BASE}${path}`, { ...init, headers: { host: "127.0.0.1:8000", ...init.headers } });
}
const BATCH = JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "hi" } }]);

describe("POST /v1/call takes JSON only (issue 9 item 22)", () => {
  test.each([
    ["text/plain", "a page's simple request"],
    ["application/x-www-form-urlencoded", "a form"],
    ["multipart/form-data; boundary=x", "a multipart form"],
    ["no Content-Type", "a body without a type"],
  ])("a batch sent with %s (%s) is refused with 415 and nothing runs", async (contentType) => {
    const { http, gateway } = front();
    const response = await request(http, "/v1/call", {
      method: "POST",
      headers: {
        origin: "http://localhost:3000",
        ...(contentType.includes("/") ? { "content-type": contentType } : {}),
      },
      body: BATCH,
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as { error: string }).error).toContain("Content-Type: application/json");
    expect(gateway.handles.get("demo")!.state).toBe("cold");
  });

  test("application/json, with or without parameters, runs the batch", async () => {
    const { http } = front();
    for (const contentType of ["application/json", "Application/JSON; charset=utf-8"]) {
      const response = await request(http, "/v1/call", {
        method: "POST",
        headers: { "content-type": contentType },
        body: BATCH,
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { ok: boolean }).ok).toBe(true);
    }
  });

  test("a CORS preflight is not answered: no Access-Control-Allow-* header, so the browser sends nothing", async () => {
    const { http } = front();
    const response = await request(http, "/v1/call", {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:3000",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(response.status).toBe(404);
    expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });
});

describe("POST /v1/call stays strict (issue 9 item 19)", () => {
  test("an unknown top-level key of the body is a 400 naming it, and nothing runs", async () => {
    const { http, gateway } = front();
    const response = await request(http, "/v1/call", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ calls: JSON.parse(BATCH), wait_for_previous: true }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain("wait_for_previous");
    expect(gateway.handles.get("demo")!.state).toBe("cold");
  });
});
