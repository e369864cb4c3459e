import type { JSONRPCMessage, ProgressToken, RequestId, Server } from "@modelcontextprotocol/server";
import type { FrontDeps } from "./front-deps.ts";
import { hangarTool } from "./hangar-tools.ts";
import type { Target } from "./names.ts";
import { answerOf, callThrough } from "./pass-through.ts";
import type { Extra } from "./request-context.ts";

/** What the fast route logs (at trace) for each call it answers. */
export const FAST_ROUTE_LOG = "fast route: answering without the SDK server";

/** A 2025-era `tools/call` the fast route may answer by itself, read from its JSON-RPC envelope only. */
export interface FastCall {
  readonly id: RequestId;
  readonly name: string;
  readonly arguments: Record<string, unknown> | undefined;
  readonly _meta: { progressToken?: ProgressToken; [key: string]: unknown } | undefined;
}

/** What `fastCallOf` allows in a request's params; anything else (tasks, multi-round state) goes to the SDK. */
const PARAMS = new Set(["name", "arguments", "_meta"]);

/** `_meta` keys of the MCP namespace (2026 envelope claims, related tasks): the SDK's to interpret. */
const MCP_META = "io.modelcontextprotocol/";

/**
 * `message` as a plain `tools/call` (an id, a name, object arguments, a `_meta` whose progress token, if
 * any, is a string or number, nothing else), or undefined for anything else — which then takes the SDK
 * path unchanged, so it is answered (or refused) exactly as before.
 */
export function fastCallOf(message: unknown): FastCall | undefined {
  if (!isObject(message) || message.method !== "tools/call" || message.jsonrpc !== "2.0") return undefined;
  const { id, params } = message;
  if ((typeof id !== "string" && (typeof id !== "number" || !Number.isInteger(id))) || !isObject(params))
    return undefined;
  const { name, arguments: args, _meta: meta } = params;
  if (typeof name !== "string" || (args !== undefined && !isObject(args))) return undefined;
  for (const key in params) if (!PARAMS.has(key)) return undefined;
  if (meta !== undefined) {
    if (!isObject(meta)) return undefined;
    const token = meta.progressToken;
    if (token !== undefined && typeof token !== "string" && typeof token !== "number") return undefined;
    for (const key in meta) if (key.startsWith(MCP_META)) return undefined;
  }
  return { id, name, arguments: args, _meta: meta };
}

/**
 * The provider tool a fast call names: an exposed tool listed now. Hangar's own tools, names not (yet)
 * listed, and withheld (pinned) tools are undefined: the SDK path answers those.
 */
export function fastTarget(deps: FrontDeps, call: FastCall): Target | undefined {
  if (hangarTool(call.name)) return undefined;
  return deps.hangar.catalog.exposed.resolveTool(call.name);
}

/**
 * Answers a fast call without the SDK server, with what the SDK handler would send a 2025 client for
 * it (see server.ts): the call runs through `callThrough`, its answer is the projected result, the
 * provider's JSON-RPC error, or Hangar's failure result. Undefined once `extra.signal` aborted (a
 * cancelled request gets no answer, as from the SDK).
 */
export async function answerFastCall(
  deps: FrontDeps,
  server: Server,
  target: Target,
  call: FastCall,
  extra: Extra,
): Promise<JSONRPCMessage | undefined> {
  let message: JSONRPCMessage;
  try {
    const answer = answerOf(server, await callThrough(deps, target, call.arguments, extra));
    if ("result" in answer) message = { jsonrpc: "2.0", id: call.id, result: answer.result };
    else {
      const { code, message: text, data } = answer.error;
      // The 2025 wire's error code for a missing resource, as the SDK's legacy codec sends it.
      const error = { code: code === -32002 ? -32602 : code, message: text, ...(data === undefined ? {} : { data }) };
      message = { jsonrpc: "2.0", id: call.id, error };
    }
  } catch (error) {
    // What the SDK answers for a handler that threw something without a code.
    const text = error instanceof Error ? error.message : "Internal error";
    message = { jsonrpc: "2.0", id: call.id, error: { code: -32603, message: text } };
  }
  return extra.signal.aborted ? undefined : message;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
