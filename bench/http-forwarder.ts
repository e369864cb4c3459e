// The floor of any HTTP front in front of a stdio provider (bench/http.ts `forwarder`, `forwarder-2026`):
// a minimal Streamable HTTP server in front of one demo provider it spawns over stdio. Envelope only, as
// bench/hop-floor.ts's `--forward` is on stdio: each POST /mcp carries one JSON-RPC message, which is
// `JSON.parse`d, its request id remapped and written to the provider's stdin (a turn's writes batched);
// the provider's answer goes back as one `application/json` body. No SDK, no checks (Host/Origin, token,
// limits), no policies. A notification or response from the client gets 202 with no body; `initialize`
// is answered with a fixed `Mcp-Session-Id`, so the v1 SDK client keeps a session (which is never
// checked); GET and DELETE /mcp get 405 (no server-to-client stream: the provider's own notifications and
// requests are dropped). `--era 2025` passes the client's handshake to the provider; `--era 2026` answers
// `initialize` itself, drops `notifications/initialized`, sends each request with the 2026-07-28 envelope
// and strips the 2026 codec's `resultType` and `_meta` from each result, as hangar does for a 2025 client.
// Prints `forwarder serving MCP on http://127.0.0.1:<port>/mcp` once it listens.
//
//   bun run bench/http-forwarder.ts [--binary dist/hangar] [--port 0] [--era 2025|2026]
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { ENVELOPE_2026, hangarArgv } from "./stats.ts";

// The demo providers answer through the MCP SDK on every side (HANGAR_DEMO_FRONT, README), as in the
// other systems of bench/http.ts.
process.env.HANGAR_DEMO_FRONT ??= "off";

const { values } = parseArgs({
  options: {
    binary: { type: "string" },
    port: { type: "string", default: "0" },
    era: { type: "string", default: "2025" },
  },
});
if (values.era !== "2025" && values.era !== "2026") throw new Error("--era is 2025 or 2026");
const modern = values.era === "2026";
const hangar = values.binary === undefined ? hangarArgv() : [resolve(values.binary)];

const SESSION = "http-forwarder";
const JSON_HEADERS = { "content-type": "application/json" };
const SESSION_HEADERS = { ...JSON_HEADERS, "mcp-session-id": SESSION };

const provider = Bun.spawn([...hangar, "demo-provider", "--name", "demo"], {
  stdin: "pipe",
  stdout: "pipe",
  stderr: "ignore",
});
void provider.exited.then((code) => {
  console.error(`demo provider exited (${code})`);
  process.exit(1);
});
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.on(signal, () => {
    provider.kill();
    process.exit(0);
  });

/** Each request in flight at the provider: our id → the client's id and the answer's resolver. */
const pending = new Map<number, { id: unknown; answer: (body: string) => void }>();
let next = 0;
let up: string[] = [];
const flushUp = () => {
  provider.stdin.write(up.join(""));
  provider.stdin.flush();
  up = [];
};
/** Writes `message` to the provider, batched with the other writes of this turn. */
const send = (message: unknown) => {
  if (up.push(`${JSON.stringify(message)}\n`) === 1) setImmediate(flushUp);
};

// The provider's answers, a line each; anything that answers no request of ours is dropped.
void (async () => {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of provider.stdout) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let i = buffer.indexOf("\n"); i !== -1; i = buffer.indexOf("\n")) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (!line) continue;
      const message = JSON.parse(line);
      const waiting = typeof message.id === "number" && !("method" in message) ? pending.get(message.id) : undefined;
      if (waiting === undefined) continue;
      pending.delete(message.id);
      message.id = waiting.id;
      if (modern && message.result) {
        delete message.result.resultType;
        delete message.result._meta;
      }
      waiting.answer(JSON.stringify(message));
    }
  }
})();

async function post(request: Request): Promise<Response> {
  const message = JSON.parse(await request.text());
  if (!("id" in message && "method" in message)) {
    // A notification or a response from the client: passed on (2026: not the handshake's), no body.
    if (!(modern && message.method === "notifications/initialized")) send(message);
    return new Response(null, { status: 202 });
  }
  const initialize = message.method === "initialize";
  if (modern && initialize) {
    const { protocolVersion } = message.params;
    const result = { protocolVersion, capabilities: { tools: {} }, serverInfo: { name: "forwarder", version: "1" } };
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: message.id, result }), { headers: SESSION_HEADERS });
  }
  if (modern) message.params = { ...message.params, _meta: { ...message.params?._meta, ...ENVELOPE_2026 } };
  const { promise, resolve: answer } = Promise.withResolvers<string>();
  pending.set(++next, { id: message.id, answer });
  message.id = next;
  send(message);
  return new Response(await promise, { headers: initialize ? SESSION_HEADERS : JSON_HEADERS });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(values.port),
  idleTimeout: 0,
  fetch(request) {
    if (new URL(request.url).pathname !== "/mcp") return new Response("Not Found", { status: 404 });
    if (request.method === "POST") return post(request);
    return new Response("Method Not Allowed", { status: 405, headers: { allow: "POST" } });
  },
});
console.log(`forwarder serving MCP on http://127.0.0.1:${server.port}/mcp`);
