import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type Client,
  type Progress,
  ProtocolError,
  type Tool,
} from "@modelcontextprotocol/client";
import type { RawClientDispatch } from "@modelcontextprotocol/ext-tasks/client";
import {
  createTaskSessionFromClient,
  type TaskEnabledSession,
  type TaskOutcome,
  toolDeclarationFromMcpTool,
} from "@modelcontextprotocol/ext-tasks/client";
import { type JsonValue, JsonValueCodec } from "@modelcontextprotocol/ext-tasks/core";
import { CallError } from "../errors.ts";
import { NO_SDK_TIMEOUT, rawChannelOf } from "../providers/index.ts";
import { VERSION } from "../version.ts";
import { framesTasksRaw, TASKS_EXTENSION } from "./offers-tasks.ts";

const MODERN_VERSION = "2026-07-28";

/** Options of one task-aware call; the same as a plain call's, plus the provider's tools (2025-11-25 tasks). */
export interface TaskCallOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  readonly meta?: Record<string, unknown> | undefined;
  /** The provider's listed tools: a 2025-11-25 provider's tool says there whether it runs as a task. */
  readonly tools?: () => readonly Tool[];
  /**
   * What a 2026-07-28 provider is told the calling client can answer, instead of what Hangar's connection
   * declared (default, and whenever it is the connection's own: what ext-tasks' framing declares; see
   * `UpstreamCallOptions.clientCapabilities`). The tasks extension is declared either way: Hangar awaits
   * the task.
   */
  readonly offer?: Record<string, unknown> | undefined;
}

/**
 * Where a call's offer rides in its request's `_meta` from `requestTaskToolCall` to the raw dispatch
 * (`declaringOffer`), past ext-tasks' framing, which declares one set of capabilities per connection;
 * never sent.
 */
const OFFER_META = "hangar/offer";

const sessions = new WeakMap<Client, TaskEnabledSession>();

/** The tasks requester of a connection, made on its first task-aware call and kept with the client. */
function sessionOf(client: Client): TaskEnabledSession {
  let session = sessions.get(client);
  if (session) return session;
  const raw = rawChannelOf(client);
  session =
    client.getProtocolEra() === "modern" && raw
      ? createTaskSessionFromClient(client, {
          endpointId: "hangar-upstream",
          rawDispatch: declaringOffer(raw.dispatch),
          v2RequestFraming: {
            protocolVersion: MODERN_VERSION,
            clientInfo: { name: "hangar", version: VERSION },
            clientCapabilities: raw.clientCapabilities as Record<string, JsonValue>,
          },
        })
      : createTaskSessionFromClient(client, { endpointId: "hangar-upstream" });
  sessions.set(client, session);
  return session;
}

/**
 * Calls a tool of a provider that offers tasks and resolves with the final `CallToolResult`, whether the
 * provider answered at once or with a task (then awaited to its end by `tasks/get`, at the pace the
 * provider suggests). The signal (the call's deadline or cancellation) reaches the task as `tasks/cancel`.
 * A task that failed is the provider's protocol error; a task the provider cancelled is a provider error.
 */
export async function requestTaskToolCall(
  client: Client,
  name: string,
  args: Record<string, unknown> | undefined,
  options: TaskCallOptions,
): Promise<CallToolResult> {
  const { signal } = options;
  const channel = rawChannelOf(client);
  // Progress is claimed on the connection whatever the era: a 2025-11-25 provider's call goes through the
  // SDK client, which passes a token in `_meta` on as given but reads progress only on its own numeric
  // ones; the claim reads it first. Without one, the provider is told no token and sends no progress.
  const progress = options.onProgress && channel ? channel.progress(options.onProgress) : undefined;
  const own = progress ? { ...options.meta, progressToken: progress.token } : options.meta;
  const { offer } = options;
  const raw = client.getProtocolEra() === "modern" ? channel : undefined;
  const meta = raw && offer && framesTasksRaw(client) ? { ...own, [OFFER_META]: offer } : own;
  const tool = options.tools?.().find((candidate) => candidate.name === name);
  try {
    const execution = await sessionOf(client).callTool(name, args as Record<string, JsonValue> | undefined, {
      signal,
      // Any JSON object: the result is relayed as the provider sent it (ext-tasks' default codec refuses
      // an inlined result without `resultType`).
      resultCodec: JsonValueCodec,
      // The call's deadline (its signal) bounds it, as every other call: not the SDK's 60 s default, which
      // would cut a long call (and every tasks/get of its task) short whatever its timeout_s.
      requestTimeoutMs: NO_SDK_TIMEOUT,
      ...(meta ? { metadata: meta as Record<string, JsonValue> } : {}),
      ...(tool ? { declaration: toolDeclarationFromMcpTool(tool) } : {}),
    });
    const cancel = () => void execution.cancel().catch(() => {});
    if (execution.kind === "task") signal.addEventListener("abort", cancel, { once: true });
    try {
      const { outcome } = await execution.settle({ signal });
      return finalResult(outcome as unknown as TaskOutcome<CallToolResult>, name);
    } finally {
      signal.removeEventListener("abort", cancel);
    }
  } catch (error) {
    throw signal.aborted ? signal.reason : error;
  } finally {
    progress?.stop();
  }
}

/**
 * `dispatch` for requests framed by ext-tasks: a request whose `_meta` carries a call's offer
 * (`OFFER_META`) declares it as the client's capabilities, with the tasks extension, instead of the
 * connection's: the call's `tools/call` and its input rounds (ext-tasks keeps the call's `_meta` in
 * them); the task's `tasks/get`, `tasks/update` and `tasks/cancel` carry no `_meta` of the call, and
 * declare the connection's.
 */
function declaringOffer(dispatch: RawClientDispatch): RawClientDispatch {
  return (request, options) => {
    const params = (request as { params?: Record<string, JsonValue> } | null)?.params;
    const meta = params?._meta as Record<string, JsonValue> | undefined;
    if (meta === undefined || !(OFFER_META in meta)) return dispatch(request, options);
    const { [OFFER_META]: offer, ...framed } = meta;
    const offered = offer as Record<string, JsonValue>;
    const extensions = { ...(offered.extensions as Record<string, JsonValue> | undefined), [TASKS_EXTENSION]: {} };
    const _meta = { ...framed, [CLIENT_CAPABILITIES_META_KEY]: { ...offered, extensions } };
    return dispatch({ ...(request as Record<string, JsonValue>), params: { ...params, _meta } }, options);
  };
}

/** The call's answer from how its task ended. */
function finalResult(outcome: TaskOutcome<CallToolResult>, name: string): CallToolResult {
  if (outcome.status === "failed") {
    const { code, message, data } = outcome.error;
    throw new ProtocolError(code ?? -32603, message, data);
  }
  if (outcome.status === "cancelled")
    throw new CallError("cancelled", `The provider cancelled the task of "${name}"`, false);
  const { resultType: _, ...result } = outcome.result as CallToolResult & { resultType?: string };
  return result;
}
