import { type Client, ProtocolError, type Tool } from "@modelcontextprotocol/client";
import { rawChannelOf } from "../providers/index.ts";
import { envelopeOf } from "./raw-tool-call.ts";

/** One page of `tools/list`, as `readCatalog` takes it. */
export interface ToolsPage {
  readonly tools: Tool[];
  readonly nextCursor?: string;
}

/**
 * Reads one page of a 2026-07-28 stdio provider's `tools/list` on the connection's raw channel, past the
 * SDK client (issue 11): its first validated message makes the SDK build its whole 2026 schema set, the
 * bulk of a one-call `hangar call`'s remaining CPU once the provider answers at once. A page whose shape
 * is the everyday one (`page` below) is taken as the SDK would give it, key for key; anything else
 * (another era, HTTP, a JSON-RPC error, icons, an unknown or mistyped field) resolves `undefined`, and the
 * caller asks again through the SDK client, whose answer or error is then the page's: a listing is
 * read-only, so asking twice changes nothing.
 */
export async function rawToolsListPage(
  client: Client,
  params: { cursor?: string },
  signal: AbortSignal,
): Promise<ToolsPage | undefined> {
  const channel = rawChannelOf(client);
  if (!channel?.stdio || client.getProtocolEra() !== "modern") return undefined;
  const envelope = envelopeOf(client, channel);
  const response = await channel.request("tools/list", { ...params, _meta: envelope }, signal, envelope);
  if ("error" in response) {
    const { code, message, data } = response.error;
    throw ProtocolError.fromError(code, message, data);
  }
  return page(response.result);
}

const RESULT_KEYS = new Set(["tools", "nextCursor", "resultType", "ttlMs", "cacheScope", "_meta"]);
const TOOL_KEYS = new Set(["name", "title", "description", "inputSchema", "outputSchema", "annotations", "_meta"]);
/** The annotations' fields, in the order of the SDK's schema, and their JSON types. */
const ANNOTATIONS: readonly (readonly [string, "string" | "boolean"])[] = [
  ["title", "string"],
  ["readOnlyHint", "boolean"],
  ["destructiveHint", "boolean"],
  ["idempotentHint", "boolean"],
  ["openWorldHint", "boolean"],
];

/**
 * The page, when every field of it is one the SDK's 2026-07-28 `ListToolsResult` takes as it is: a complete
 * result, `ttlMs` a whole number ≥ 0, `cacheScope` public or private, `nextCursor` a string, and tools of
 * a name, optional title and description (strings), an object inputSchema (`type: "object"`, any `$schema` a
 * string), an optional object outputSchema (likewise), annotations of the known hints and an object
 * `_meta`. Each tool is rebuilt in the order the SDK's parse writes its keys (the schema's fields first,
 * then a JSON Schema's other keywords as sent), so that a catalog reads the same either way.
 */
function page(result: Record<string, unknown>): ToolsPage | undefined {
  for (const key of Object.keys(result)) if (!RESULT_KEYS.has(key)) return undefined;
  const { tools, nextCursor, ttlMs, cacheScope, _meta } = result;
  if (result.resultType !== "complete" || !Array.isArray(tools)) return undefined;
  if (typeof ttlMs !== "number" || !Number.isSafeInteger(ttlMs) || ttlMs < 0) return undefined;
  if (cacheScope !== "public" && cacheScope !== "private") return undefined;
  if (nextCursor !== undefined && typeof nextCursor !== "string") return undefined;
  if (_meta !== undefined && !isObject(_meta)) return undefined;
  const out: Tool[] = [];
  for (const tool of tools) {
    const rebuilt = toolOf(tool);
    if (rebuilt === undefined) return undefined;
    out.push(rebuilt);
  }
  return nextCursor === undefined ? { tools: out } : { tools: out, nextCursor };
}

function toolOf(tool: unknown): Tool | undefined {
  if (!isObject(tool)) return undefined;
  for (const key of Object.keys(tool)) if (!TOOL_KEYS.has(key)) return undefined;
  const { name, title, description, inputSchema, outputSchema, annotations, _meta } = tool;
  if (typeof name !== "string" || !optional(title, "string") || !optional(description, "string")) return undefined;
  const input = jsonSchemaOf(inputSchema, true);
  if (input === undefined) return undefined;
  const output = outputSchema === undefined ? undefined : jsonSchemaOf(outputSchema, false);
  if (outputSchema !== undefined && output === undefined) return undefined;
  const hints = annotations === undefined ? undefined : annotationsOf(annotations);
  if (annotations !== undefined && hints === undefined) return undefined;
  if (_meta !== undefined && !isObject(_meta)) return undefined;
  return {
    name,
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    inputSchema: input,
    ...(output !== undefined ? { outputSchema: output } : {}),
    ...(hints !== undefined ? { annotations: hints } : {}),
    ...(_meta !== undefined ? { _meta: { ..._meta } } : {}),
  } as unknown as Tool;
}

/**
 * A tool's JSON Schema as the SDK writes it: `$schema` first, then (an input schema) `type: "object"`, then
 * the other keywords in the order sent.
 */
function jsonSchemaOf(schema: unknown, input: boolean): Tool["inputSchema"] | undefined {
  if (!isObject(schema) || !optional(schema.$schema, "string")) return undefined;
  if (input && schema.type !== "object") return undefined;
  const { $schema, ...rest } = schema;
  const head = $schema !== undefined ? { $schema } : {};
  return (input ? { ...head, type: "object", ...rest } : { ...head, ...rest }) as Tool["inputSchema"];
}

function annotationsOf(annotations: unknown): Tool["annotations"] | undefined {
  if (!isObject(annotations)) return undefined;
  const known = new Set(ANNOTATIONS.map(([key]) => key));
  for (const key of Object.keys(annotations)) if (!known.has(key)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, type] of ANNOTATIONS) {
    const value = annotations[key];
    if (value === undefined) continue;
    if (typeof value !== type) return undefined;
    out[key] = value;
  }
  return out;
}

function optional(value: unknown, type: "string"): boolean {
  return value === undefined || typeof value === type;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
