import { McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { z } from "zod";
import { VERSION } from "../version.ts";

/** Options of the demo provider; every field says its default. */
export interface DemoProviderOptions {
  /** Name the server reports in `initialize` and in `info` (default "demo"). */
  name?: string;
}

/** Waits `ms` milliseconds, or until `signal` aborts (then rejects with its reason). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Builds the demo MCP server: `sleep`, `echo`, `add`, `fail` and `info` tools with known behaviour. */
export function createDemoServer(options: DemoProviderOptions = {}): McpServer {
  const name = options.name ?? "demo";
  let calls = 0;
  const server = new McpServer({ name: `hangar-demo-${name}`, version: VERSION });

  server.registerTool(
    "sleep",
    {
      description: "Waits the given number of milliseconds, then answers. Use it to see parallelism at work.",
      inputSchema: z.object({ ms: z.number().int().min(0).max(600_000).describe("How long to wait, in milliseconds") }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ ms }, ctx) => {
      calls++;
      await sleep(ms, ctx.mcpReq.signal);
      return { content: [{ type: "text", text: `slept ${ms} ms` }] };
    },
  );

  server.registerTool(
    "echo",
    {
      description: "Returns the message it was given.",
      inputSchema: z.object({ message: z.string().describe("The text to send back") }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ message }) => {
      calls++;
      return { content: [{ type: "text", text: message }] };
    },
  );

  server.registerTool(
    "add",
    {
      description: "Adds two numbers.",
      inputSchema: z.object({ a: z.number().describe("First number"), b: z.number().describe("Second number") }),
      outputSchema: z.object({ sum: z.number() }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ a, b }) => {
      calls++;
      const sum = a + b;
      return { content: [{ type: "text", text: String(sum) }], structuredContent: { sum } };
    },
  );

  server.registerTool(
    "fail",
    {
      description: "Always answers with a tool error (isError), to show how failures are reported.",
      inputSchema: z.object({
        message: z.string().optional().describe('The error text (default "requested failure")'),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ message }) => {
      calls++;
      return { isError: true, content: [{ type: "text", text: message ?? "requested failure" }] };
    },
  );

  server.registerTool(
    "info",
    {
      description: "Tells this provider's name, process id and how many calls it has answered.",
      inputSchema: z.object({}),
      outputSchema: z.object({ name: z.string(), pid: z.number(), calls: z.number() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async () => {
      calls++;
      const info = { name, pid: process.pid, calls };
      return { content: [{ type: "text", text: JSON.stringify(info) }], structuredContent: info };
    },
  );

  return server;
}

/**
 * Runs the demo provider over stdio until stdin closes or a signal asks it to stop. It serves both
 * protocol eras (`serveStdio`): MCP 2026-07-28 clients (`server/discover`) and 2025 ones (`initialize`).
 */
export async function runDemoProvider(options: DemoProviderOptions = {}): Promise<void> {
  const served = serveStdio(() => createDemoServer(options));
  // serveStdio keeps serving after stdin ends; a provider exits when its client goes away.
  const stop = () => {
    void served.close().finally(() => process.exit(0));
  };
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
