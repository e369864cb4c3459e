import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type Client,
  type ClientCapabilities,
  PROTOCOL_VERSION_META_KEY,
  type Progress,
  SdkError,
  SdkErrorCode,
  SERVER_INFO_META_KEY,
  type StandardSchemaV1,
  type Tool,
} from "@modelcontextprotocol/client";
import { ProviderError } from "../errors.ts";
import { type Connection, NO_SDK_TIMEOUT, type RawChannel, rawChannelOf } from "../providers/index.ts";
import { inputRequiredFailure, isInputCapabilityError, isInputRequired, isTaskInputRefusal } from "./input-refusal.ts";
import { offersTasks, TASKS_EXTENSION } from "./offers-tasks.ts";
import { offeredCapabilities, rawToolCall } from "./raw-tool-call.ts";

/** Options of one upstream tool call. */
export interface UpstreamCallOptions {
  readonly signal: AbortSignal;
  /** Progress the provider reports during the call. */
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** Request metadata sent upstream (e.g. a trace context); the progress token is Hangar's own. */
  readonly meta?: Record<string, unknown> | undefined;
  /**
   * A round of a multi-round-trip call relayed for a 2026-07-28 client (default: none, and a provider's
   * `input_required` is fulfilled by the client's own handlers, which the bridge forwards).
   */
  readonly inputRound?: InputRound | undefined;
  /** The provider's listed tools (a 2025-11-25 provider declares there which tools run as tasks). */
  readonly tools?: () => readonly Tool[];
  /**
   * The caller cannot be asked for input (a 2026-07-28 client's `hangar_call`): a 2026 provider's
   * `input_required`, or its -32021 for an input capability, fails the call with `input_required`
   * (default false: the client's handlers, which the bridge forwards, answer it).
   */
  readonly refuseInput?: boolean | undefined;
  /**
   * What the client making the call declared, when the call is a client's own (default: none, and a
   * 2026-07-28 provider is told what Hangar declared when it connected). A 2026-07-28 request then
   * declares only what both Hangar's connection and that client declared (`offeredCapabilities`): the
   * provider never asks this call's client for something it cannot give. A round's own capabilities
   * (`inputRound`) win; a 2025 provider keeps what it learned at initialize.
   */
  readonly clientCapabilities?: ClientCapabilities | undefined;
}

/**
 * One round of a call relayed for a 2026-07-28 client: an `input_required` answer comes back as the
 * call's result (for the client to answer), this round sends the client's answers and the provider's own
 * `requestState` from the round before, and the provider is told the client's capabilities (it asks
 * only for input the client can give).
 */
export interface InputRound {
  /** What the client declared on its request. */
  readonly clientCapabilities: ClientCapabilities;
  /** The client's answers to the provider's input requests of the round before. */
  readonly inputResponses?: Record<string, unknown>;
  /** The provider's `requestState` of the round before, as it sent it. */
  readonly requestState?: string;
}

/**
 * The params of a request sent in `round` (when there is one): the client's answers and the provider's
 * state of the round before, and in `_meta` (beside `meta`) the capabilities the client declared;
 * `params` itself when there is neither a round nor `meta`.
 */
export function withInputRound(
  params: Record<string, unknown>,
  round: InputRound | undefined,
  meta?: Record<string, unknown>,
): Record<string, unknown> {
  // Nothing to add (a plain call without metadata): `params` as they are, not a copy.
  if (round === undefined && meta === undefined) return params;
  const all = round ? { ...meta, [CLIENT_CAPABILITIES_META_KEY]: round.clientCapabilities } : meta;
  return {
    ...params,
    ...(round?.inputResponses ? { inputResponses: round.inputResponses } : {}),
    ...(round?.requestState ? { requestState: round.requestState } : {}),
    ...(all ? { _meta: all } : {}),
  };
}

/**
 * Sends `tools/call` with the call's signal, progress listener and metadata, and no timeout of the SDK's
 * own: over stdio on the connection's raw channel (see raw-tool-call.ts), else through the SDK client.
 * The result comes back without what a 2026-07-28 provider stamps on every result about itself (`_meta`
 * serverInfo, protocolVersion): that describes the hop to the provider, not the call's answer.
 * A provider that offers tasks is called through the tasks requester, which awaits a task to its result,
 * except for a 2026-07-28 client's own call without the tasks extension (`withoutTasks`). `tools`, the
 * provider's listed tools, stands in for `options.tools` when given (a 2025-11-25 provider's task tools).
 */
export function requestToolCall(
  client: Client,
  name: string,
  args: Record<string, unknown> | undefined,
  options: UpstreamCallOptions,
  tools?: () => readonly Tool[],
): Promise<CallToolResult> {
  // Not async: the usual call settles in as few turns as before (callers count on its lease being gone).
  if (!options.refuseInput || client.getProtocolEra() !== "modern")
    return sendToolCall(client, name, args, options, tools);
  return refusingInput(client, name, args, options, tools);
}

/** `sendToolCall` for a caller that cannot be asked for input: a request for input fails the call. */
async function refusingInput(
  client: Client,
  name: string,
  args: Record<string, unknown> | undefined,
  options: UpstreamCallOptions,
  tools: (() => readonly Tool[]) | undefined,
): Promise<CallToolResult> {
  try {
    const result = await sendToolCall(client, name, args, options, tools);
    if (isInputRequired(result)) throw inputRequiredFailure(name, result);
    return result;
  } catch (error) {
    if (isInputCapabilityError(error)) throw inputRequiredFailure(name, error);
    if (isTaskInputRefusal(error)) throw inputRequiredFailure(name, undefined);
    throw error;
  }
}

/** `requestToolCall` without its refusal of input. */
async function sendToolCall(
  client: Client,
  name: string,
  args: Record<string, unknown> | undefined,
  options: UpstreamCallOptions,
  tools: (() => readonly Tool[]) | undefined,
): Promise<CallToolResult> {
  if (offersTasks(client) && !withoutTasks(options.inputRound)) {
    // The listed tools and the offer go with the options only here: a task call is the one that reads them.
    const offer =
      options.inputRound === undefined ? offerOf(client, rawChannelOf(client), options.clientCapabilities) : undefined;
    const taskOptions = { ...options, ...(tools === undefined ? {} : { tools }), offer };
    return withoutHopMeta(await (await import("./task-call.ts")).requestTaskToolCall(client, name, args, taskOptions));
  }
  const base = args === undefined ? { name } : { name, arguments: args };
  const round = options.inputRound;
  const params = withInputRound(base, round, options.meta);
  const raw = rawChannelOf(client);
  const offer = round === undefined ? offerOf(client, raw, options.clientCapabilities) : undefined;
  if (raw?.stdio) {
    const result = await rawToolCall(client, raw, {
      signal: options.signal,
      params,
      allowInputRequired: round !== undefined || options.refuseInput === true,
      onProgress: options.onProgress,
      capabilities: offer,
    });
    if (result !== undefined) return withoutHopMeta(result);
    // A 2026-07-28 provider asked for input the client's handlers give: the SDK client's funnel does that.
  }
  const requestOptions = {
    signal: options.signal,
    timeout: NO_SDK_TIMEOUT,
    ...(options.onProgress ? { onprogress: options.onProgress } : {}),
    ...(round || options.refuseInput ? { allowInputRequired: true } : {}),
  };
  const request = { method: "tools/call" as const, params: declaring(params, offer) };
  // A 2026-07-28 result was checked against the wire schema as the SDK decoded it: checking it against
  // the result schema too would validate it twice. A 2025 one gets the SDK's one check.
  const result =
    client.getProtocolEra() === "modern"
      ? await client.request(request, TOOL_RESULT_SHAPE, requestOptions)
      : await client.request(request, requestOptions);
  return withoutHopMeta(result as CallToolResult);
}

/**
 * `params` of a request other than a tool call (a prompt, a resource read, a completion) that `caller`'s
 * client makes, declaring in `_meta` what that client can answer, as a tool call does (see
 * `UpstreamCallOptions.clientCapabilities`); `params` itself when the connection's own go.
 */
export function withClientCapabilities<P extends { _meta?: Record<string, unknown> | undefined }>(
  client: Client,
  params: P,
  caller: ClientCapabilities | undefined,
): P {
  return declaring(params, offerOf(client, rawChannelOf(client), caller));
}

/**
 * `params` of a request the SDK client sends, declaring `offer` (`offerOf`) in `_meta` (the SDK client
 * frames its requests with the connection's capabilities, and lets a request's own key win); `params`
 * itself when there is none.
 */
function declaring<P extends { _meta?: Record<string, unknown> | undefined }>(
  params: P,
  offer: Record<string, unknown> | undefined,
): P {
  if (offer === undefined) return params;
  return { ...params, _meta: { ...params._meta, [CLIENT_CAPABILITIES_META_KEY]: offer } };
}

/**
 * The capabilities a 2026-07-28 request of `caller`'s call declares (`offeredCapabilities`), or undefined
 * when the connection's own go (no caller's capabilities, a 2025 provider, no raw channel to read the
 * connection's from, or the caller declared all the connection did).
 */
function offerOf(
  client: Client,
  raw: RawChannel | undefined,
  caller: ClientCapabilities | undefined,
): Record<string, unknown> | undefined {
  if (caller === undefined || raw === undefined || client.getProtocolEra() !== "modern") return undefined;
  const offer = offeredCapabilities(raw.clientCapabilities, caller as Record<string, unknown>);
  return offer === raw.clientCapabilities ? undefined : offer;
}

/**
 * Whether `round` is a 2026-07-28 client's own call made without the tasks extension. Such a call goes to
 * the provider as the client made it, with the client's capabilities (a transparent proxy): the provider
 * answers as it would that client, at once, or with -32021 for a tool that must run as a task. Hangar
 * asks for tasks and awaits them only for calls that are its own (hangar_call, a 2025 client's call).
 */
function withoutTasks(round: InputRound | undefined): boolean {
  const extensions = (round?.clientCapabilities as { extensions?: Record<string, unknown> } | undefined)?.extensions;
  return round !== undefined && extensions?.[TASKS_EXTENSION] === undefined;
}

/**
 * What Hangar checks of a 2026-07-28 provider's `tools/call` result once the SDK's decoder has checked
 * it against the wire schema (a malformed one fails there, with the problem named): an object whose
 * `content`, when present, is a list (absent reads as empty). It stands in for the SDK's default result
 * validator, which would parse the result against the result schema a second time, after a probe parse
 * of `undefined` that fails on every request.
 */
export const TOOL_RESULT_SHAPE: StandardSchemaV1<unknown, CallToolResult> = {
  "~standard": {
    version: 1,
    vendor: "hangar",
    validate(value) {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return { issues: [{ message: "the result is not an object" }] };
      const content = (value as { content?: unknown }).content;
      if (content === undefined) return { value: { ...value, content: [] } as CallToolResult };
      if (!Array.isArray(content)) return { issues: [{ message: "content is not a list" }] };
      return { value: value as CallToolResult };
    },
  },
};

/** `result` without the `_meta` keys of the protocol's envelope; the same object when it has none. */
function withoutHopMeta(result: CallToolResult): CallToolResult {
  const meta = result._meta;
  if (meta === undefined || !(SERVER_INFO_META_KEY in meta || PROTOCOL_VERSION_META_KEY in meta)) return result;
  const { [SERVER_INFO_META_KEY]: _server, [PROTOCOL_VERSION_META_KEY]: _version, ...kept } = meta;
  const { _meta: _, ...rest } = result;
  return Object.keys(kept).length === 0 ? rest : { ...rest, _meta: kept };
}

/** A call's failure as its caller sees it: a connection that closed under it means the provider stopped. */
export function callFailure(providerId: string, connection: Connection, error: unknown): unknown {
  if (!(error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed)) return error;
  const reason = connection.closeReason() ?? "its connection closed";
  const failure = new ProviderError(
    providerId,
    `Provider "${providerId}" stopped during the call: ${reason}`,
    "transport_error",
  );
  // Every call in flight fails by this one close: one incident for the breaker.
  failure.incident = connection;
  return failure;
}
