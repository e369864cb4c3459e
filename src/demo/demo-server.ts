import { type CallToolResult, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { VERSION } from "../version.ts";
import { type DemoState, instantResult, sleptContent, toolText } from "./demo-answers.ts";

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

  // Descriptions, annotations and results are the front's (demo-answers.ts), so both paths answer alike;
  // the input and output shapes are zod here because the SDK takes zod (tests/e2e/demo-front.test.ts
  // checks that the SDK lists them as the front does).
  const result = (tool: string, args: Record<string, unknown>): CallToolResult => {
    const answer = instantResult(state, tool, args);
    // Only a sum beyond the largest number gets here (the SDK checked the arguments' shapes).
    if (answer === undefined) throw new Error(`${tool}: the result is not a finite number`);
    return answer as CallToolResult;
  };

  server.registerTool(
    "sleep",
    {
      ...toolText("sleep"),
      inputSchema: z.object({ ms: z.number().int().min(0).max(600_000).describe("How long to wait, in milliseconds") }),
    },
    async ({ ms }, ctx) => {
      state.calls++;
      await sleep(ms, ctx.mcpReq.signal);
      return { content: sleptContent(ms) };
    },
  );

  server.registerTool(
    "echo",
    { ...toolText("echo"), inputSchema: z.object({ message: z.string().describe("The text to send back") }) },
    async (args) => result("echo", args),
  );

  server.registerTool(
    "add",
    {
      ...toolText("add"),
      inputSchema: z.object({ a: z.number().describe("First number"), b: z.number().describe("Second number") }),
      outputSchema: z.object({ sum: z.number() }),
    },
    async (args) => result("add", args),
  );

  server.registerTool(
    "fail",
    {
      ...toolText("fail"),
      inputSchema: z.object({
        message: z.string().optional().describe('The error text (default "requested failure")'),
      }),
    },
    async (args) => result("fail", args),
  );

  server.registerTool(
    "info",
    {
      ...toolText("info"),
      inputSchema: z.object({}),
      outputSchema: z.object({ name: z.string(), pid: z.number(), calls: z.number() }),
    },
    async (args) => result("info", args),
  );

  return server;
}
