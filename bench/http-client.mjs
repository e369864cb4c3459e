// The client side of bench/http.ts, run as its own process under `node` or `bun`, so that each client
// runtime is measured as an agent would run it. Plain JavaScript: Node 20 runs it as is.
//
// It reads one JSON command a line on stdin and answers each with one JSON line on stdout:
//   {"op":"connect","name":"hangar","kind":"session"|"modern"|"sse","url":"http://…/mcp"[,"token":"…"]}
//       kind session: the v1 SDK's StreamableHTTPClientTransport (a 2025 session)
//       kind modern:  the v2 SDK's StreamableHTTPClientTransport pinned to 2026-07-28 (sessionless)
//       kind sse:     the v1 SDK's SSEClientTransport (mcp-hub serves only the old SSE transport)
//       token:        sent on every request as `Authorization: Bearer <token>`
//   {"op":"latency","name":"hangar","tool":"demo__echo","n":500}   → {"times":[ms, …]}, one call at a time
//   {"op":"fanout","name":"hangar","tool":"demo__sleep","n":200,"ms":100} → {"wall":ms}, all at once
//   {"op":"close"}
import { createInterface } from "node:readline";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

/** @type {Map<string, { callTool(params: object): Promise<unknown>; close(): Promise<void> }>} */
const clients = new Map();

async function connect(kind, url, token) {
  const options = token === undefined ? {} : { requestInit: { headers: { authorization: `Bearer ${token}` } } };
  if (kind === "modern") {
    const client = new ModernClient(
      { name: "bench-http", version: "1.0.0" },
      { versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    await client.connect(new ModernTransport(new URL(url), options));
    return client;
  }
  const client = new Client({ name: "bench-http", version: "1.0.0" });
  const transport =
    kind === "sse"
      ? new SSEClientTransport(new URL(url), options)
      : new StreamableHTTPClientTransport(new URL(url), options);
  await client.connect(transport);
  return client;
}

function check(result) {
  if (result?.isError) throw new Error(`tool error: ${JSON.stringify(result.content)}`);
  return result;
}

async function run(command) {
  if (command.op === "connect") {
    clients.set(command.name, await connect(command.kind, command.url, command.token));
    return { ok: true };
  }
  if (command.op === "latency") {
    const client = clients.get(command.name);
    const times = [];
    for (let i = 0; i < command.n; i++) {
      const t = performance.now();
      check(await client.callTool({ name: command.tool, arguments: { message: "x" } }));
      times.push(performance.now() - t);
    }
    return { times };
  }
  if (command.op === "fanout") {
    const client = clients.get(command.name);
    const t = performance.now();
    await Promise.all(
      Array.from({ length: command.n }, async () =>
        check(
          await client.callTool({ name: command.tool, arguments: { ms: command.ms } }, undefined, { timeout: 60_000 }),
        ),
      ),
    );
    return { wall: performance.now() - t };
  }
  if (command.op === "close") {
    await Promise.all([...clients.values()].map((client) => client.close().catch(() => {})));
    return { ok: true, exit: true };
  }
  throw new Error(`unknown op ${command.op}`);
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === "") continue;
  let answer;
  try {
    answer = await run(JSON.parse(line));
  } catch (error) {
    answer = { error: String(error?.stack ?? error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
  if (answer.exit) break;
}
process.exit(0);
