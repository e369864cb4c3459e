import type { Tool } from "@modelcontextprotocol/server";
import { z } from "zod";
import { CALL_ERROR_TYPES } from "../errors.ts";
import { BatchRequestSchema, BatchResultSchema } from "../gateway/index.ts";
import { hangarCall } from "./batch-tool.ts";
import type { HangarTool } from "./hangar-tool.ts";
import { asFailure, failure, structured } from "./request-context.ts";
import { BATCH_SYNTAX_HELP, resultTool } from "./result-tool.ts";
import { DEFAULT_SEARCH_LIMIT, searchTools } from "./search-view.ts";
import { toolsView } from "./tools-view.ts";

/** `hangar_tools` input. */
export const ToolsRequestSchema = z
  .object({
    provider: z.string().optional().describe("Only this provider (its id)"),
    query: z.string().optional().describe("What you want to do, in plain words: returns the best-matching tools"),
    limit: z
      .number()
      .int()
      .min(1)
      .max(50)
      .optional()
      .describe(`With query: how many tools (default ${DEFAULT_SEARCH_LIMIT})`),
  })
  .strict();

/** `hangar_status` input. */
export const StatusRequestSchema = z
  .object({ provider: z.string().optional().describe("Only this provider (its id)") })
  .strict();

/**
 * `args` without the top-level keys that `schema` does not know. Called as MCP tools, Hangar's own tools
 * accept and ignore what a client adds to every tool call (Gemini CLI's `wait_for_previous`); their
 * advertised schemas stay strict, and so does everything below the top level (a batch's calls). Batch
 * files and `POST /v1/call` bodies are not passed through this: a user wrote them, so a typo is reported.
 */
export function withoutUnknownKeys(args: unknown, schema: z.ZodObject): unknown {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([key]) => Object.hasOwn(schema.shape, key)));
}

/**
 * The JSON Schema of a zod schema, with free-form objects spelled `additionalProperties: true` for
 * portability. A custom type (a provider's answer) is what its metadata says.
 */
function jsonSchema(schema: z.ZodType): Tool["inputSchema"] {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any" }) as Record<string, unknown>;
  return portable(rest) as Tool["inputSchema"];
}

function portable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(portable);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "propertyNames") continue;
    const empty =
      key === "additionalProperties" && typeof value === "object" && value !== null && Object.keys(value).length === 0;
    out[key] = empty ? true : portable(value);
  }
  return out;
}

const CALL_DESCRIPTION = `Run many tool calls in parallel, in one call, across any of the MCP servers ("providers") behind Hangar. Use it whenever you need two or more tool calls that do not depend on each other's results: they all run at once, so the batch takes as long as its slowest call. Results come back in call order; one failed call never stops the others (unless fail_fast).

Find tools with hangar_tools first: {"query": "what you want to do"} returns the best matches with their inputSchema, including tools not listed directly. Each call is {provider, tool, arguments}; arguments must match the tool's inputSchema.

Example:
{"calls": [
  {"provider": "github", "tool": "search_repositories", "arguments": {"query": "mcp"}, "id": "repos"},
  {"provider": "memory", "tool": "read_graph"},
  {"provider": "files", "tool": "read_file", "arguments": {"path": "/tmp/notes.md"}, "timeout_s": 10}
]}

Each result is {index, id?, provider, tool, ok, result?, error?, elapsed_ms, attempts}; result is the tool's own answer. error.type is one of ${CALL_ERROR_TYPES.join(", ")}; error.retryable says whether trying the same call again may help.

${BATCH_SYNTAX_HELP}`;

/** Hangar's own tools, in the order `tools/list` shows them. */
const HANGAR_TOOLS: readonly HangarTool[] = [
  {
    name: "hangar_call",
    title: "Call tools in parallel",
    description: CALL_DESCRIPTION,
    input: BatchRequestSchema,
    output: BatchResultSchema,
    annotations: { title: "Call tools in parallel", readOnlyHint: false, destructiveHint: true, openWorldHint: true },
    call: hangarCall,
  },
  {
    name: "hangar_tools",
    title: "Search providers' tools",
    description:
      'Search the tools of every MCP server behind Hangar, many not listed directly: {"query": "create a github issue"} returns the best matches, ranked, with provider, name and inputSchema; run them with hangar_call. Without query: every provider and its tools (provider narrows to one). Reads cached catalogs; a search never starts a server.',
    input: ToolsRequestSchema,
    annotations: { title: "Search providers' tools", readOnlyHint: true, openWorldHint: false },
    async call({ hangar: { gateway, catalog } }, args, extra) {
      const parsed = ToolsRequestSchema.safeParse(args);
      if (!parsed.success) return failure(`Invalid arguments for hangar_tools: ${parsed.error.issues[0]?.message}`);
      const { query, provider, limit } = parsed.data;
      const view = query?.trim()
        ? await searchTools(gateway, catalog, { query, provider, limit }).catch(asFailure)
        : await toolsView(gateway, catalog, (p, t) => catalog.exposed.nameOf(p, t), { provider }, extra.signal).catch(
            asFailure,
          );
      return "isError" in view ? view : structured(view);
    },
  },
  {
    name: "hangar_status",
    title: "Providers' health",
    description:
      "Show each provider's state (cold, starting, ready, draining, stopped, failed), calls in flight and queued, failures, circuit breaker state, uptime, and call and ping latency, and which config is applied (its source, hash, and the last reload's result or error). Use it when calls fail with provider_unavailable, circuit_open or overloaded, to see which provider is unwell and when it will be tried again.",
    input: StatusRequestSchema,
    annotations: { title: "Providers' health", readOnlyHint: true, openWorldHint: false },
    async call({ hangar }, args) {
      const parsed = StatusRequestSchema.safeParse(args);
      if (!parsed.success) return failure(`Invalid arguments for hangar_status: ${parsed.error.issues[0]?.message}`);
      const { provider } = parsed.data;
      if (provider !== undefined && !hangar.gateway.handles.has(provider))
        return failure(`Unknown provider "${provider}"`);
      // The library's status (the same object `Hangar.status` returns, config and pinning included).
      return structured(hangar.status(provider === undefined ? {} : { provider }));
    },
  },
  resultTool,
];

/** The names of Hangar's own tools; no provider's tool is ever listed under one of them. */
export const HANGAR_TOOL_NAMES: ReadonlySet<string> = new Set(HANGAR_TOOLS.map((tool) => tool.name));

/** Hangar's own tool called `name`, if it is one. */
export function hangarTool(name: string): HangarTool | undefined {
  return HANGAR_TOOLS.find((tool) => tool.name === name);
}

let listed: readonly Tool[] | undefined;

/** Hangar's own tools as `tools/list` shows them (their JSON Schemas made once, on first use). */
export function hangarTools(): readonly Tool[] {
  listed ??= HANGAR_TOOLS.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input),
    ...(tool.output ? { outputSchema: jsonSchema(tool.output) } : {}),
    annotations: tool.annotations,
  }));
  return listed;
}
