/**
 * The demo provider's answers to its everyday 2026-07-28 requests, without the MCP SDK (issue 11): the
 * `server/discover` result, the tool list (the JSON Schemas the SDK derives from the zod shapes in
 * demo-server.ts, written out) and the results of its tools (`sleep`, `echo`, `add`, `fail`, `info`)
 * for well-formed arguments. Each answer is the SDK path's own, key for key:
 * tests/e2e/demo-front.test.ts compares them with the SDK's for the same requests, so a change to the
 * tools in demo-provider.ts that is not made here fails that test. Anything else is the SDK's to answer.
 */
import { VERSION } from "../version.ts";

/** The `_meta` keys of the 2026-07-28 envelope (the SDK's constants, which this module must not import). */
export const META = {
  protocolVersion: "io.modelcontextprotocol/protocolVersion",
  clientInfo: "io.modelcontextprotocol/clientInfo",
  clientCapabilities: "io.modelcontextprotocol/clientCapabilities",
  serverInfo: "io.modelcontextprotocol/serverInfo",
  subscriptionId: "io.modelcontextprotocol/subscriptionId",
} as const;

/** The protocol revision answered here; any other is the SDK's. */
export const MODERN_REVISION = "2026-07-28";

/** A tool's result as the SDK returns it from the tool's handler (before `resultType` and `_meta`). */
type ToolResult = Record<string, unknown>;

/** What the demo provider's tools share between this path and the SDK's: the calls answered so far. */
export interface DemoState {
  readonly name: string;
  calls: number;
}

const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const READ_ONLY_IDEMPOTENT = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };
const READ_ONLY = { readOnlyHint: true, openWorldHint: false };

/** The tools, as `tools/list` lists them. */
const TOOLS = [
  {
    name: "sleep",
    description: "Waits the given number of milliseconds, then answers. Use it to see parallelism at work.",
    inputSchema: {
      type: "object",
      $schema: SCHEMA,
      properties: {
        ms: { type: "integer", minimum: 0, maximum: 600000, description: "How long to wait, in milliseconds" },
      },
      required: ["ms"],
    },
    annotations: READ_ONLY_IDEMPOTENT,
  },
  {
    name: "echo",
    description: "Returns the message it was given.",
    inputSchema: {
      type: "object",
      $schema: SCHEMA,
      properties: { message: { type: "string", description: "The text to send back" } },
      required: ["message"],
    },
    annotations: READ_ONLY_IDEMPOTENT,
  },
  {
    name: "add",
    description: "Adds two numbers.",
    inputSchema: {
      type: "object",
      $schema: SCHEMA,
      properties: {
        a: { type: "number", description: "First number" },
        b: { type: "number", description: "Second number" },
      },
      required: ["a", "b"],
    },
    annotations: READ_ONLY_IDEMPOTENT,
    outputSchema: {
      $schema: SCHEMA,
      type: "object",
      properties: { sum: { type: "number" } },
      required: ["sum"],
      additionalProperties: false,
    },
  },
  {
    name: "fail",
    description: "Always answers with a tool error (isError), to show how failures are reported.",
    inputSchema: {
      type: "object",
      $schema: SCHEMA,
      properties: { message: { description: 'The error text (default "requested failure")', type: "string" } },
    },
    annotations: READ_ONLY,
  },
  {
    name: "info",
    description: "Tells this provider's name, process id and how many calls it has answered.",
    inputSchema: { type: "object", $schema: SCHEMA, properties: {} },
    annotations: READ_ONLY,
    outputSchema: {
      $schema: SCHEMA,
      type: "object",
      properties: { name: { type: "string" }, pid: { type: "number" }, calls: { type: "number" } },
      required: ["name", "pid", "calls"],
      additionalProperties: false,
    },
  },
];

/**
 * A tool's description and annotations as `tools/list` lists them: the SDK server (demo-server.ts)
 * registers each tool with these, so the two paths describe the tools alike.
 */
export function toolText(name: string): { description: string; annotations: Record<string, boolean> } {
  const tool = TOOLS.find((candidate) => candidate.name === name)!;
  return { description: tool.description, annotations: tool.annotations };
}

/** The server's identity, as the SDK stamps it in each 2026-07-28 result's `_meta`. */
export function serverInfoOf(state: DemoState): { name: string; version: string } {
  return { name: `hangar-demo-${state.name}`, version: VERSION };
}

/** A `server/discover` result. */
export function discoverResult(state: DemoState): Record<string, unknown> {
  return {
    supportedVersions: [MODERN_REVISION],
    capabilities: { tools: { listChanged: false } },
    resultType: "complete",
    ttlMs: 0,
    cacheScope: "private",
    _meta: { [META.serverInfo]: serverInfoOf(state) },
  };
}

/** A `tools/list` result (no cursor: one page). */
export function toolsListResult(state: DemoState): Record<string, unknown> {
  return {
    tools: TOOLS,
    resultType: "complete",
    ttlMs: 0,
    cacheScope: "private",
    _meta: { [META.serverInfo]: serverInfoOf(state) },
  };
}

/**
 * A `tools/call` result of an instant tool with arguments its zod shape accepts as they are, counted as a
 * call; undefined (nothing counted) for anything else: `sleep` (sleepStart), an unknown tool, arguments the SDK would
 * refuse or reshape.
 */
export function toolCallResult(
  state: DemoState,
  name: unknown,
  args: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const result = instantResult(state, name, args);
  if (result === undefined) return undefined;
  return { ...result, resultType: "complete", _meta: { [META.serverInfo]: serverInfoOf(state) } };
}

/**
 * The wait of a `sleep` call whose `ms` its zod shape takes as it is (a whole number from 0 to 600000),
 * counted as a call (as the SDK's handler counts it when it starts); undefined (nothing counted) otherwise.
 */
export function sleepStart(state: DemoState, args: Record<string, unknown>): number | undefined {
  const ms = args.ms;
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < 0 || ms > 600_000) return undefined;
  state.calls++;
  return ms;
}

/** What a `sleep` call that waited `ms` answers (both paths). */
export function sleptContent(ms: number): [{ type: "text"; text: string }] {
  return [{ type: "text", text: `slept ${ms} ms` }];
}

/** The result of a `sleep` call that waited `ms`. */
export function sleepResult(state: DemoState, ms: number): Record<string, unknown> {
  return {
    content: sleptContent(ms),
    resultType: "complete",
    _meta: { [META.serverInfo]: serverInfoOf(state) },
  };
}

/**
 * An instant tool's result for arguments its zod shape takes as they are, counted as a call (both paths:
 * the SDK's handlers call it with arguments the SDK checked); undefined, nothing counted, for anything else.
 */
export function instantResult(state: DemoState, name: unknown, args: Record<string, unknown>): ToolResult | undefined {
  switch (name) {
    case "echo": {
      if (typeof args.message !== "string") return undefined;
      state.calls++;
      return { content: [{ type: "text", text: args.message }] };
    }
    case "add": {
      const { a, b } = args;
      if (typeof a !== "number" || typeof b !== "number") return undefined;
      const sum = a + b;
      if (!Number.isFinite(sum)) return undefined;
      state.calls++;
      return { content: [{ type: "text", text: String(sum) }], structuredContent: { sum } };
    }
    case "fail": {
      const message = args.message;
      if (message !== undefined && typeof message !== "string") return undefined;
      state.calls++;
      // In the order the SDK's result schema writes them.
      return { content: [{ type: "text", text: message ?? "requested failure" }], isError: true };
    }
    case "info": {
      state.calls++;
      const info = { name: state.name, pid: process.pid, calls: state.calls };
      return { content: [{ type: "text", text: JSON.stringify(info) }], structuredContent: info };
    }
    default:
      return undefined;
  }
}
