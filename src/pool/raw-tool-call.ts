import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type Client,
  PROTOCOL_VERSION_META_KEY,
  type Progress,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SERVER_INFO_META_KEY,
  specTypeSchemas,
} from "@modelcontextprotocol/client";
import type { RawChannel } from "../providers/index.ts";
import { VERSION } from "../version.ts";

/** What `rawToolCall` needs of a call. */
export interface RawToolCallOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** The request's params as they go upstream (name, arguments, any input round), `_meta` included. */
  readonly params: Record<string, unknown>;
  /** Whether an `input_required` answer is the call's result (a relayed round); else it is `undefined`. */
  readonly allowInputRequired: boolean;
  /**
   * The capabilities a 2026-07-28 request declares (`offeredCapabilities`); default the connection's,
   * what Hangar declared when it connected.
   */
  readonly capabilities?: Record<string, unknown> | undefined;
}

/**
 * Sends a plain `tools/call` (no task, over stdio) on the connection's raw channel instead of through the
 * SDK client's `request`, keeping what that did for a tool call: a request id and progress token of its
 * own, progress relayed, `notifications/cancelled` when the signal aborts, ConnectionClosed when the
 * connection closes first, the 2026-07-28 `_meta` envelope on every request (protocol version, client
 * info and capabilities; the call's own `_meta` keys win), a JSON-RPC error as the SDK's ProtocolError,
 * and the result's checks: a 2025 result against the protocol's schema (a malformed one fails with the
 * SDK's InvalidResult naming the field), a 2026 one by its `resultType` and shape, checked by hand (no
 * schema parse for a well-formed answer). What the SDK client's funnel added beyond that (its own
 * timeout timer, a classification parse of every response, a wire-schema parse, a microtask per
 * response) a forwarded call does not need.
 *
 * Resolves `undefined` for a 2026-07-28 `input_required` answer when `allowInputRequired` is false: the
 * input is the client's to give, so the caller sends the call again through the SDK client, whose
 * handlers ask it (the provider did nothing yet: it asked first).
 */
export async function rawToolCall(
  client: Client,
  channel: RawChannel,
  options: RawToolCallOptions,
): Promise<CallToolResult | undefined> {
  const modern = client.getProtocolEra() === "modern";
  const progress = options.onProgress ? channel.progress(options.onProgress) : undefined;
  try {
    const envelope = modern ? envelopeOf(client, channel, options.capabilities) : undefined;
    const own = options.params._meta as Record<string, unknown> | undefined;
    // The connection's envelope is shared (never changed) when the call adds nothing to it.
    const meta =
      own === undefined && progress === undefined
        ? envelope
        : envelope || progress
          ? { ...envelope, ...own, ...(progress ? { progressToken: progress.token } : {}) }
          : own;
    const params = meta === own ? options.params : { ...options.params, _meta: meta };
    const response = await channel.request("tools/call", params, options.signal, envelope);
    if ("error" in response) {
      const { code, message, data } = response.error;
      throw ProtocolError.fromError(code, message, data);
    }
    return modern ? modernResult(response.result, options.allowInputRequired) : legacyResult(response.result);
  } finally {
    progress?.stop();
  }
}

/** Envelopes made so far: by connection, then by the capabilities they declare (one or a few each). */
const envelopes = new WeakMap<Client, WeakMap<object, Record<string, unknown>>>();

/**
 * The `_meta` envelope of a 2026-07-28 request on `client`'s connection, as the SDK client frames its own:
 * declaring `capabilities` (default: the connection's, `channel.clientCapabilities`). Made once for each
 * capabilities object a connection declares, and shared (never changed).
 */
export function envelopeOf(
  client: Client,
  channel: RawChannel,
  capabilities: Record<string, unknown> = channel.clientCapabilities,
): Record<string, unknown> {
  const byCapabilities = innerOf(envelopes, client);
  let envelope = byCapabilities.get(capabilities);
  if (envelope === undefined) {
    envelope = {
      [PROTOCOL_VERSION_META_KEY]: client.getNegotiatedProtocolVersion(),
      [CLIENT_INFO_META_KEY]: { name: "hangar", version: VERSION },
      [CLIENT_CAPABILITIES_META_KEY]: capabilities,
    };
    byCapabilities.set(capabilities, envelope);
  }
  return envelope;
}

/** What `offeredCapabilities` gave for each caller's capabilities, by the connection's declaration. */
const offers = new WeakMap<object, WeakMap<object, Record<string, unknown>>>();

/**
 * What a 2026-07-28 provider is told the client of one call can answer: each capability Hangar declared
 * on the connection (`declared`: what it can pass on to a client) that the calling client declared too
 * (`caller`), as Hangar declared it. A provider asks within what it was told, so it never asks a client
 * for something that client cannot give. `declared` itself when the caller declared all of it; the same
 * object for the same two inputs.
 */
export function offeredCapabilities(
  declared: Record<string, unknown>,
  caller: Record<string, unknown>,
): Record<string, unknown> {
  const byDeclared = innerOf(offers, caller);
  let offer = byDeclared.get(declared);
  if (offer === undefined) {
    const both: Record<string, unknown> = {};
    let all = true;
    for (const key in declared)
      if (caller[key] !== undefined) both[key] = declared[key];
      else all = false;
    offer = all ? declared : both;
    byDeclared.set(declared, offer);
  }
  return offer;
}

/** The inner map of a two-level cache for `key`, made on first use (a plain call: no closure per lookup). */
function innerOf<V>(outer: WeakMap<object, WeakMap<object, V>>, key: object): WeakMap<object, V> {
  let inner = outer.get(key);
  if (inner === undefined) {
    inner = new WeakMap();
    outer.set(key, inner);
  }
  return inner;
}

/** A 2025 provider's result: `resultType` dropped (as the SDK's legacy codec does), then the schema's check. */
function legacyResult(raw: Record<string, unknown>): CallToolResult {
  let value: Record<string, unknown> = raw;
  if ("resultType" in raw) {
    const { resultType: _, ...rest } = raw;
    value = rest;
  }
  const checked = specTypeSchemas.CallToolResult["~standard"].validate(value);
  if (checked instanceof Promise) throw new TypeError("the CallToolResult schema is asynchronous");
  if (checked.issues) throw invalidResult(JSON.stringify(checked.issues));
  return checked.value as CallToolResult;
}

/**
 * A 2026-07-28 provider's result by its `resultType`, as the SDK's modern codec discriminates it: `complete`
 * (its shape checked by hand; `resultType` and what the provider stamps in `_meta` about itself, serverInfo
 * and protocolVersion, dropped), `input_required` (kept as it is when allowed), else the SDK's errors.
 */
function modernResult(raw: Record<string, unknown>, allowInputRequired: boolean): CallToolResult | undefined {
  const type = raw.resultType;
  if (type === undefined)
    throw invalidResult(
      "missing required resultType — servers implementing protocol revision 2026-07-28 MUST include it",
    );
  if (typeof type !== "string") throw invalidResult("non-string resultType");
  if (type === "input_required") {
    const requests = raw.inputRequests;
    const hasRequests = isObject(requests) && Object.keys(requests).length > 0;
    if (!hasRequests && typeof raw.requestState !== "string")
      throw invalidResult("input_required carries neither inputRequests nor requestState");
    if (!allowInputRequired) return undefined;
    return {
      resultType: "input_required",
      inputRequests: hasRequests ? requests : {},
      ...(typeof raw.requestState === "string" ? { requestState: raw.requestState } : {}),
      ...(isObject(raw._meta) ? { _meta: raw._meta } : {}),
    } as unknown as CallToolResult;
  }
  if (type !== "complete")
    throw new SdkError(SdkErrorCode.UnsupportedResultType, `Unsupported result type '${type}' for tools/call`);
  const problem = shapeProblem(raw);
  if (problem !== undefined) throw invalidResult(problem);
  // The object was parsed from the provider's line for this call alone: it is trimmed in place, not copied.
  delete raw.resultType;
  if (raw.content === undefined) raw.content = [];
  const meta = raw._meta as Record<string, unknown> | undefined;
  if (meta !== undefined && (SERVER_INFO_META_KEY in meta || PROTOCOL_VERSION_META_KEY in meta)) {
    delete meta[SERVER_INFO_META_KEY];
    delete meta[PROTOCOL_VERSION_META_KEY];
    if (isEmpty(meta)) delete raw._meta;
  }
  return raw as CallToolResult;
}

/** The fields of each content block kind that must be strings. */
const STRING_FIELDS: Readonly<Record<string, readonly string[]>> = {
  text: ["text"],
  image: ["data", "mimeType"],
  audio: ["data", "mimeType"],
  resource_link: ["uri", "name"],
  resource: [],
};

/**
 * What is wrong with a complete tool result's shape, as `path: problem`, or undefined: `content` a list
 * (absent reads as empty) of blocks with a known `type` and their required strings (a `resource` block's
 * `resource` an object), `isError` a boolean, `_meta` an object.
 */
export function shapeProblem(result: Record<string, unknown>): string | undefined {
  const content = result.content;
  if (content !== undefined) {
    if (!Array.isArray(content)) return `content: expected array, received ${kindOf(content)}`;
    for (let i = 0; i < content.length; i++) {
      const block: unknown = content[i];
      if (!isObject(block)) return `content.${i}: expected object, received ${kindOf(block)}`;
      const fields = typeof block.type === "string" ? STRING_FIELDS[block.type] : undefined;
      if (fields === undefined) return `content.${i}.type: not a known content type`;
      for (const field of fields)
        if (typeof block[field] !== "string")
          return `content.${i}.${field}: expected string, received ${kindOf(block[field])}`;
      if (block.type === "resource" && !isObject(block.resource))
        return `content.${i}.resource: expected object, received ${kindOf(block.resource)}`;
    }
  }
  if (result.isError !== undefined && typeof result.isError !== "boolean")
    return `isError: expected boolean, received ${kindOf(result.isError)}`;
  if (result._meta !== undefined && !isObject(result._meta))
    return `_meta: expected object, received ${kindOf(result._meta)}`;
  return undefined;
}

function invalidResult(detail: string): SdkError {
  return new SdkError(SdkErrorCode.InvalidResult, `Invalid result for tools/call: ${detail}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** Whether `object` has no enumerable key (no array made to count them). */
function isEmpty(object: Record<string, unknown>): boolean {
  for (const _ in object) return false;
  return true;
}
