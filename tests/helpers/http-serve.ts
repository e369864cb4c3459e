// Runs the compiled `dist/hangar serve --http --port 0` in a sandbox and connects SDK clients to it.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ClientCapabilities } from "@modelcontextprotocol/sdk/types.js";
import { type Running, type Sandbox, startHangar } from "./e2e.ts";
import { initializeRequest } from "./jsonrpc.ts";
import { waitFor } from "./processes.ts";

/** A listening `hangar serve --http`: where it is, the process, and a way to open MCP clients. */
export interface HttpHangar extends AsyncDisposable {
  /** `http://127.0.0.1:PORT` */
  readonly base: string;
  readonly port: number;
  readonly running: Running;
  /** Connects an SDK client over Streamable HTTP (with `headers` on every request); closed on dispose. */
  connect(options?: {
    headers?: Record<string, string>;
    capabilities?: ClientCapabilities;
  }): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
}

const LISTENING = /Hangar serving MCP on (http:\/\/\S+)\/mcp/;

/** Starts `hangar serve --http --port 0 ...args` in `box` and waits for its "serving" line. */
export async function startHttpHangar(
  box: Sandbox,
  args: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<HttpHangar> {
  const running = startHangar(["serve", "--http", "--port", "0", ...args], box.options(env));
  let base = "";
  await waitFor(
    () => {
      base = LISTENING.exec(running.stderr())?.[1] ?? "";
      if (base === "" && running.proc.exitCode !== null)
        throw new Error(`hangar exited with ${running.proc.exitCode}: ${running.stderr()}`);
      return base !== "";
    },
    10_000,
    "hangar serve --http to listen",
  );
  const clients: Client[] = [];
  return {
    base,
    port: Number(new URL(base).port),
    running,
    async connect(options = {}) {
      const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
        requestInit: { headers: options.headers ?? {} },
      });
      const client = new Client(
        { name: "hangar-http-tests", version: "1.0.0" },
        { capabilities: options.capabilities ?? {} },
      );
      await client.connect(transport);
      clients.push(client);
      return { client, transport };
    },
    async [Symbol.asyncDispose]() {
      await Promise.all(clients.map((client) => client.close().catch(() => {})));
      running.children();
      running.proc.kill("SIGTERM");
      await running[Symbol.asyncDispose]();
    },
  };
}

/** Initializes a session by hand and returns its id (for raw-fetch tests). */
export async function initializeRaw(base: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(initializeRequest()),
  });
}
