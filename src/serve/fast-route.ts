import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  isInputRequiredResult,
  type JSONRPCMessage,
  PROTOCOL_VERSION_META_KEY,
  type ProgressToken,
  type RequestId,
  SERVER_INFO_META_KEY,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { AbortGroup } from "../scheduler/index.ts";
import type { FrontDeps } from "./front-deps.ts";
import { HANGAR_TOOL_NAMES } from "./hangar-tools.ts";
import { type RelayCodec, relayedInputRequired } from "./input-relay.ts";
import type { Target } from "./names.ts";
import { answerOf, callThrough } from "./pass-through.ts";
import type { Extra } from "./request-context.ts";
import { SERVER_INFO } from "./server.ts";

/** What the fast route logs (at trace) for each call it answers. */
export const FAST_ROUTE_LOG = "fast route: answering without the SDK server";

/** A `tools/call` the fast route may answer by itself, read from its JSON-RPC envelope only. */
export interface FastCall {
  readonly id: RequestId;
  readonly name: string;
  readonly arguments: Record<string, unknown> | undefined;
  /** The request's `_meta` without the 2026 envelope keys (as the SDK hands it to handlers). */
  readonly _meta: { progressToken?: ProgressToken; [key: string]: unknown } | undefined;
  /** A 2026-07-28 request (its envelope checked by `fastCallOf`), answered in that era's encoding. */
  readonly modern?: true;
}

/** The only protocol version a 2026 fast call may name (the one Hangar's SDK serves). */
const MODERN_VERSION = "2026-07-28";

/** What `fastCallOf` allows in a request's params; anything else (tasks, multi-round state) goes to the SDK. */
const PARAMS = new Set(["name", "arguments", "_meta"]);

/** `_meta` keys of the MCP namespace (2026 envelope claims, related tasks): the SDK's to interpret. */
const MCP_META = "io.modelcontextprotocol/";

/**
 * `message` as a plain `tools/call` of `era` (an id, a name, object arguments, a `_meta` whose progress
 * token, if any, is a string or number, nothing else; for "modern", the 2026 envelope of `modernEnvelope`
 * too), or undefined for anything else — which then takes the SDK path unchanged, so it is answered (or
 * refused) exactly as before.
 */
export function fastCallOf(message: unknown, era: "legacy" | "modern" = "legacy"): FastCall | undefined {
  if (!isObject(message) || message.method !== "tools/call" || message.jsonrpc !== "2.0") return undefined;
  const { id, params } = message;
  if ((typeof id !== "string" && (typeof id !== "number" || !Number.isSafeInteger(id))) || !isObject(params))
    return undefined;
  const { name, arguments: args, _meta: meta } = params;
  if (typeof name !== "string" || (args !== undefined && !isObject(args))) return undefined;
  for (const key in params) if (!PARAMS.has(key)) return undefined;
  if (meta === undefined) return era === "legacy" ? { id, name, arguments: args, _meta: undefined } : undefined;
  if (!isObject(meta)) return undefined;
  const token = meta.progressToken;
  if (token !== undefined && typeof token !== "string" && typeof token !== "number") return undefined;
  if (era === "modern") {
    if (!modernEnvelope(meta)) return undefined;
    const own: Record<string, unknown> = {};
    let empty = true;
    for (const key in meta)
      if (!key.startsWith(MCP_META)) {
        own[key] = meta[key];
        empty = false;
      }
    return { id, name, arguments: args, _meta: empty ? undefined : own, modern: true };
  }
  for (const key in meta) if (key.startsWith(MCP_META)) return undefined;
  return { id, name, arguments: args, _meta: meta };
}

/**
 * Whether `meta` holds a 2026 envelope the SDK takes as it is and that needs nothing of its machinery:
 * protocol version 2026-07-28, client capabilities declaring nothing (no tasks extension, no input a
 * provider could ask for, so the call is never relayed), client info absent or a plain name, version
 * (and title), and no other MCP-namespace key (log level, related task, ...). Anything else (a missing
 * or malformed envelope too) is the SDK's to accept or refuse.
 */
function modernEnvelope(meta: Record<string, unknown>): boolean {
  if (meta[PROTOCOL_VERSION_META_KEY] !== MODERN_VERSION) return false;
  const capabilities = meta[CLIENT_CAPABILITIES_META_KEY];
  if (!isObject(capabilities)) return false;
  for (const _ in capabilities) return false;
  const info = meta[CLIENT_INFO_META_KEY];
  if (info !== undefined && !plainClientInfo(info)) return false;
  for (const key in meta)
    if (
      key.startsWith(MCP_META) &&
      key !== PROTOCOL_VERSION_META_KEY &&
      key !== CLIENT_CAPABILITIES_META_KEY &&
      key !== CLIENT_INFO_META_KEY
    )
      return false;
  return true;
}

/** A client info of only string `name`, `version` and optional `title`. */
function plainClientInfo(info: unknown): boolean {
  if (!isObject(info) || typeof info.name !== "string" || typeof info.version !== "string") return false;
  for (const key in info)
    if (key !== "name" && key !== "version" && (key !== "title" || typeof info.title !== "string")) return false;
  return true;
}

/**
 * What a fast-routed call's handlers see of its request: its signal is its cancel group's, made when read
 * (a call nobody asks a signal of costs no AbortController or listener of its own).
 */
export class FastRequest implements Extra {
  readonly requestId: RequestId;
  readonly _meta: Extra["_meta"];
  readonly headers = undefined;

  constructor(
    readonly cancel: AbortGroup,
    call: FastCall,
    readonly sendNotification: Extra["sendNotification"],
    readonly sessionId: string | undefined = undefined,
  ) {
    this.requestId = call.id;
    this._meta = call._meta;
  }

  get signal(): AbortSignal {
    return this.cancel.signal;
  }
}

/**
 * The provider tool a fast call names: an exposed tool listed now. Hangar's own tools, names not (yet)
 * listed, and withheld (pinned) tools are undefined: the SDK path answers those.
 */
export function fastTarget(deps: FrontDeps, call: FastCall): Target | undefined {
  if (HANGAR_TOOL_NAMES.has(call.name)) return undefined;
  return deps.hangar.catalog.exposed.resolveTool(call.name);
}

/**
 * Answers a fast call without the SDK server, with what the SDK handler would send the client for it
 * (see server.ts): the call runs through `callThrough`, its answer is the projected result, the
 * provider's JSON-RPC error, or Hangar's failure result. A 2025 call's answer is projected by `server`
 * (the connection's instance); a 2026 call's is encoded as the SDK's 2026 codec encodes a `tools/call`
 * result (`modernResult`), and its provider is offered the client's (empty) capabilities as the SDK path
 * does; should the provider ask for input all the same, its `input_required` is relayed sealed with
 * `relay`, as on the SDK path. Undefined once `extra.signal` aborted (a cancelled request gets no answer,
 * as from the SDK).
 */
export async function answerFastCall(
  deps: FrontDeps,
  server: Server | undefined,
  target: Target,
  call: FastCall,
  extra: Extra,
  relay?: RelayCodec,
): Promise<JSONRPCMessage | undefined> {
  let message: JSONRPCMessage;
  try {
    // A 2026 call names its client's (empty) capabilities in its round; a 2025 one its session's.
    const round = call.modern ? { clientCapabilities: {} } : undefined;
    const declared = call.modern ? undefined : server?.getClientCapabilities();
    const result = await callThrough(deps, target, call.arguments, extra, round, declared);
    if (call.modern && isInputRequiredResult(result.result)) {
      if (relay === undefined) throw new Error("Hangar cannot relay this provider's request for input here");
      const ctx = { mcpReq: { method: "tools/call" } } as ServerContext;
      const relayed = await relayedInputRequired(result.result, target, relay, ctx);
      message = { result: modernResult(relayed as unknown as Record<string, unknown>), jsonrpc: "2.0", id: call.id };
    } else {
      const answer = call.modern || server === undefined ? modernAnswerOf(result) : answerOf(server, result);
      // Members in the SDK server's order (a result first, an error last): the same text as its answer.
      if ("result" in answer)
        message = {
          result: call.modern ? modernResult(answer.result as Record<string, unknown>) : answer.result,
          jsonrpc: "2.0",
          id: call.id,
        };
      else {
        const { code, message: text, data } = answer.error;
        // The 2025 wire's error code for a missing resource, as the SDK's legacy codec sends it.
        const wire = !call.modern && code === -32002 ? -32602 : code;
        message = {
          jsonrpc: "2.0",
          id: call.id,
          error: { code: wire, message: text, ...(data === undefined ? {} : { data }) },
        };
      }
    }
  } catch (error) {
    // What the SDK answers for a handler that threw something without a code.
    const text = error instanceof Error ? error.message : "Internal error";
    message = { jsonrpc: "2.0", id: call.id, error: { code: -32603, message: text } };
  }
  return (extra.cancel ?? extra.signal).aborted ? undefined : message;
}

/** `answerOf` for a 2026 client: a result with non-object `structuredContent` and no text gets its JSON as text. */
function modernAnswerOf(result: Parameters<typeof answerOf>[1]): ReturnType<typeof answerOf> {
  const answer = answerOf(undefined, result);
  if (!("result" in answer)) return answer;
  const value = answer.result;
  const structured = value.structuredContent as unknown;
  if (structured === undefined || (typeof structured === "object" && structured !== null && !Array.isArray(structured)))
    return answer;
  if (value.content?.some((block) => block.type === "text")) return answer;
  const text = { type: "text" as const, text: JSON.stringify(structured) };
  return { result: { ...value, content: [...(value.content ?? []), text] } as CallToolResult };
}

/**
 * A `tools/call` result as the SDK's 2026 codec sends it: `resultType` "complete" unless the result names
 * its own, and Hangar's server info under `_meta`'s `io.modelcontextprotocol/serverInfo` unless the
 * result carries one (a non-object `_meta` is left as it is).
 */
export function modernResult(result: Record<string, unknown>): Record<string, unknown> {
  const typed = result.resultType === undefined ? { ...result, resultType: "complete" } : result;
  const meta = typed._meta;
  if (meta === undefined) return { ...typed, _meta: { [SERVER_INFO_META_KEY]: SERVER_INFO } };
  if (!isObject(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return typed;
  return { ...typed, _meta: { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
