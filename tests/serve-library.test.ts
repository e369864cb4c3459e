// `hangar serve` is built on the library's API (issue 19: "the CLI and `hangar serve` are built on the
// same API, no second path through the code"): its batches go through `Hangar.stream`, proven here by a
// hook on the Hangar it serves, and no front can start a batch on the gateway behind the library's back.
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Gateway } from "../src/gateway/index.ts";
import { Hangar } from "../src/lib/hangar.ts";
import { silentLogger } from "../src/observability/log.ts";
import { serveHttp } from "../src/serve/index.ts";
import { ROOT } from "./helpers/paths.ts";
import { configOf, demoProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/** Which batches a Hangar streamed, and whether its gateway started one that did not come through it. */
interface Seen {
  readonly viaLibrary: unknown[];
  /** The `provider` of each `Hangar.status` call. */
  readonly statuses: (string | undefined)[];
  readonly behindItsBack: unknown[];
}

/** A Hangar over a demo provider whose `stream` (the library's public API) records every batch. */
function hookedHangar(): { hangar: Hangar; seen: Seen } {
  const gateway = new Gateway(configOf([demoProvider("demo")]));
  const hangar = Hangar.over(gateway);
  const seen: Seen = { viaLibrary: [], statuses: [], behindItsBack: [] };
  const status = hangar.status.bind(hangar);
  hangar.status = (options) => {
    seen.statuses.push(options?.provider);
    return status(options);
  };
  let inside = false;
  const stream = hangar.stream.bind(hangar);
  hangar.stream = (calls, options) => {
    seen.viaLibrary.push(calls);
    inside = true;
    try {
      return stream(calls, options);
    } finally {
      inside = false;
    }
  };
  const gatewayStream = gateway.stream.bind(gateway);
  gateway.stream = (input, options) => {
    if (!inside) seen.behindItsBack.push(input);
    return gatewayStream(input, options);
  };
  return { hangar, seen };
}

/** `hangar serve --http` in-process on a free port, serving `hangar`; resolves with its base URL. */
async function serve(hangar: Hangar): Promise<string> {
  const stop = new AbortController();
  const listening = Promise.withResolvers<string>();
  const served = serveHttp({
    openHangar: async () => ({ hangar, logger: silentLogger }),
    signal: stop.signal,
    port: 0,
    drainMs: 0,
    onListening: (url) => listening.resolve(url.replace(/\/mcp$/, "")),
  });
  served.catch((error: unknown) => listening.reject(error));
  open.push(async () => {
    stop.abort(new Error("test over"));
    await served;
  });
  return listening.promise;
}

const ECHO = { provider: "demo", tool: "echo", arguments: { message: "hi" } };

describe("hangar serve is built on the library's Hangar (issue 19)", () => {
  test("hangar_call over MCP and POST /v1/call run through Hangar.stream, hangar_status through Hangar.status", async () => {
    const { hangar, seen } = hookedHangar();
    const base = await serve(hangar);

    const client = new Client({ name: "serve-library", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    open.unshift(() => client.close());
    const answer = await client.callTool({ name: "hangar_call", arguments: { calls: [{ ...ECHO, id: "mcp" }] } });
    expect((answer.structuredContent as { ok: boolean }).ok).toBe(true);

    const rest = await fetch(`${base}/v1/call`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ ...ECHO, id: "rest" }]),
    });
    expect(((await rest.json()) as { ok: boolean }).ok).toBe(true);

    const streamed = await fetch(`${base}/v1/call`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/x-ndjson" },
      body: JSON.stringify([{ ...ECHO, id: "ndjson" }]),
    });
    const lines = (await streamed.text()).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line) as { id?: string; ok: boolean })).toMatchObject([
      { id: "ndjson", ok: true },
      { ok: true, total: 1 },
    ]);

    const health = await client.callTool({ name: "hangar_status", arguments: { provider: "demo" } });
    expect((health.structuredContent as { providers: { id: string }[] }).providers.map((p) => p.id)).toEqual(["demo"]);
    expect(seen.statuses).toEqual(["demo"]);

    const ids = seen.viaLibrary.map((batch) => (batch as { calls: { id: string }[] }).calls[0]?.id);
    expect(ids).toEqual(["mcp", "rest", "ndjson"]);
    expect(seen.behindItsBack).toEqual([]);
  });

  test("only the library starts batches: no other module of src calls the gateway's stream or run", () => {
    const src = join(ROOT, "src");
    const callers = [...new Bun.Glob("**/*.ts").scanSync(src)].filter((file) => {
      const text = readFileSync(join(src, file), "utf8");
      return /gateway\??\.(stream|run)\(/.test(text);
    });
    expect(callers).toEqual(["lib/hangar.ts"]);
  });
});
