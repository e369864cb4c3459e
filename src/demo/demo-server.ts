import { McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { VERSION } from "../version.ts";
import type { DemoState } from "./demo-answers.ts";

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

/**
 * Builds the demo MCP server: `sleep`, `echo`, `add`, `fail` and `info` tools with known behaviour.
 * `state` counts the calls answered (default: its own; the stdio front shares its own with it). The
 * answers without the SDK in demo-answers.ts must match these tools.
 */
export function createDemoServer(
  options: DemoProviderOptions = {},
  state: DemoState = { name: options.name ?? "demo", calls: 0 },
): McpServer {
  const name = state.name;
  // Its tools never change: it says so (the SDK's default is listChanged: true), and a 2026-07-28 client
  // need not hold a subscriptions/listen stream open for changes that never come (issue 11).
  const server = new McpServer(
    { name: `hangar-demo-${name}`, version: VERSION },
    { capabilities: { tools: { listChanged: false } } },
  );

  server.registerTool(
    "sleep",
    {
      description: "Waits the given number of milliseconds, then answers. Use it to see parallelism at work.",
      inputSchema: z.object({ ms: z.number().int().min(0).max(600_000).describe("How long to wait, in milliseconds") }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ ms }, ctx) => {
      state.calls++;
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
      state.calls++;
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
      state.calls++;
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
      state.calls++;
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
      state.calls++;
      const info = { name, pid: process.pid, calls: state.calls };
      return { content: [{ type: "text", text: JSON.stringify(info) }], structuredContent: info };
    },
  );

  return server;
}
