import { afterEach, describe, expect, test } from "bun:test";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { freePort, httpProvider, startEverything, startFixtureServer } from "./helpers/http.ts";
import { configOf } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
function gateway(providers: ResolvedProvider[]): Gateway {
  const g = new Gateway(configOf(providers));
  open.push(g);
  return g;
}
const text = (result: unknown) => (result as { content: { type: string; text: string }[] }).content[0]!.text;
const echo = (provider: string, message: string) => ({ provider, tool: "echo", arguments: { message } });

describe("http driver: Streamable HTTP and SSE", () => {
  test("A batch reaches server-everything over Streamable HTTP", async () => {
    await using server = await startEverything("streamableHttp");
    const g = gateway([httpProvider("remote", `http://127.0.0.1:${server.port}/mcp`)]);
    const tools = await g.handles.get("remote")!.ensureReady(AbortSignal.timeout(10_000));
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    const batch = await g.run({
      calls: [
        echo("remote", "over http"),
        { provider: "remote", tool: "get-sum", arguments: { a: 1, b: 2 } },
        echo("remote", "again"),
      ],
    });
    expect(batch).toMatchObject({ ok: true, succeeded: 3 });
    expect(batch.results.map((r) => text(r.result))).toEqual([
      "Echo: over http",
      "The sum of 1 and 2 is 3.",
      "Echo: again",
    ]);
  });

  test('protocol "auto" falls back to SSE when the server refuses Streamable HTTP', async () => {
    await using server = await startEverything("sse");
    const g = gateway([httpProvider("legacy", `http://127.0.0.1:${server.port}/sse`, { protocol: "auto" })]);
    const batch = await g.run({ calls: [echo("legacy", "via fallback"), echo("legacy", "twice")] });
    expect(batch).toMatchObject({ ok: true, succeeded: 2 });
    expect(text(batch.results[0]!.result)).toBe("Echo: via fallback");
    // The SSE transport was used: the server logged a connected SSE client.
    expect(server.stderr()).toContain("Client Connected");
  });

  test('protocol "sse" talks the HTTP+SSE transport directly', async () => {
    await using server = await startEverything("sse");
    const g = gateway([httpProvider("legacy", `http://127.0.0.1:${server.port}/sse`, { protocol: "sse" })]);
    const batch = await g.run({ calls: [echo("legacy", "direct sse")] });
    expect(batch.results[0]).toMatchObject({ ok: true });
    expect(text(batch.results[0]!.result)).toBe("Echo: direct sse");
  });

  test('protocol "streamable-http" does not fall back to SSE', async () => {
    await using server = await startEverything("sse");
    const g = gateway([httpProvider("strict", `http://127.0.0.1:${server.port}/sse`, { protocol: "streamable-http" })]);
    const batch = await g.run({ calls: [echo("strict", "x")] });
    expect(batch.results[0]).toMatchObject({ ok: false, error: { type: "provider_unavailable" } });
    expect(server.stderr()).not.toContain("Client Connected");
  });
});

describe("http driver: sessions, headers and failures", () => {
  test("A remote session that expires is replaced and the call succeeds", async () => {
    await using server = await startFixtureServer();
    const g = gateway([httpProvider("remote", server.url("/mcp"))]);
    const first = await g.run({ calls: [echo("remote", "before")] });
    expect(first.results[0]).toMatchObject({ ok: true });
    const forgot = await fetch(server.url("/forget"), { method: "POST" });
    expect(await forgot.json()).toEqual({ dropped: 1 });
    const second = await g.run({ calls: [echo("remote", "after")] });
    expect(second.results[0]).toMatchObject({ ok: true, attempts: 1 });
    expect(text(second.results[0]!.result)).toBe("after");
    expect(await (await fetch(server.url("/stats"))).json()).toMatchObject({ initializes: 2, sessions: 1 });
    expect(g.handles.get("remote")!.state).toBe("ready");
  });

  test("Calls in flight when a remote session expires are all resent on one new session", async () => {
    await using server = await startFixtureServer();
    const g = gateway([httpProvider("remote", server.url("/mcp"))]);
    expect((await g.run({ calls: [echo("remote", "warm")] })).ok).toBe(true);
    // The first stale call is answered 404 at once; the rest stay in flight until the gateway reconnects.
    await fetch(server.url("/forget?hold=1"), { method: "POST" });
    const calls = Array.from({ length: 6 }, (_, i) => ({ ...echo("remote", `call ${i}`), timeout_s: 10 }));
    const batch = await g.run({ calls });
    expect(batch.results.map((r) => r.error?.message)).toEqual(calls.map(() => undefined));
    expect(batch.results.map((r) => text(r.result))).toEqual(calls.map((c) => c.arguments.message));
    expect(await (await fetch(server.url("/stats"))).json()).toMatchObject({ initializes: 2, sessions: 1 });
  });

  test("Configured headers reach the remote server on every request", async () => {
    await using server = await startFixtureServer();
    const headers = { Authorization: "Bearer x", "X-Tenant": "acme" };
    const g = gateway([httpProvider("remote", server.url("/mcp"), { headers })]);
    const batch = await g.run({ calls: [echo("remote", "hi")] });
    expect(batch.results[0]).toMatchObject({ ok: true });
    const seen = (await (await fetch(server.url("/seen-headers"))).json()) as Record<string, string>[];
    expect(seen.length).toBeGreaterThanOrEqual(3); // initialize, notifications/initialized, tools/list, tools/call
    for (const request of seen) expect(request).toMatchObject({ authorization: "Bearer x", "x-tenant": "acme" });
  });

  test("An unreachable URL fails with provider_unavailable naming the host but not its path, query or credentials", async () => {
    const port = freePort();
    const g = gateway([
      httpProvider("gone", `http://user:hunter2@127.0.0.1:${port}/mcp/key-in-the-path/sse?token=abc`),
    ]);
    const batch = await g.run({ calls: [echo("gone", "x")] });
    const result = batch.results[0]!;
    expect(result).toMatchObject({ ok: false, attempts: 0, error: { type: "provider_unavailable" } });
    expect(result.error!.message).toContain(`127.0.0.1:${port}`);
    expect(result.error!.message).toContain('"gone"');
    expect(result.error!.message).not.toContain("abc");
    expect(result.error!.message).not.toContain("hunter2");
    expect(result.error!.message).not.toContain("user:");
    expect(result.error!.message).not.toContain("key-in-the-path");
    expect(result.error!.message).toContain(`at http://127.0.0.1:${port}/…: `);
  });
});
