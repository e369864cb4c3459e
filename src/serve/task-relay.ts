import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type InputRequiredResult,
  PROTOCOL_VERSION_META_KEY,
  type Progress,
  ProtocolError,
  ProtocolErrorCode,
  SERVER_INFO_META_KEY,
  type Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import type { Gateway } from "../gateway/index.ts";
import { offersTasks, TASKS_EXTENSION, withInputRound } from "../pool/index.ts";
import { type RawChannel, rawChannelOf } from "../providers/index.ts";
import { VERSION } from "../version.ts";
import { inputRoundOf, type RelayCodec, relayedInputRequired } from "./input-relay.ts";
import type { Target } from "./names.ts";
import { type ProviderClient, providerRequest } from "./provider-request.ts";
import { extraOf, notifyProgress, traceOf } from "./request-context.ts";
import { TaskIds, type TaskOwner } from "./task-ids.ts";
import { isTerminal, TaskLeases } from "./task-leases.ts";

const MODERN_VERSION = "2026-07-28";
const TaskParams = z.looseObject({ taskId: z.string() });

/** A JSON-RPC result as Hangar relays it. */
type Relayed = Record<string, unknown>;

/**
 * Relays the tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663) to 2026-07-28 clients that
 * declare it: a pass-through `tools/call` that a provider answers with a task reaches the client as that
 * task under Hangar's own id (provider and task sealed together, see `TaskIds`), and the client's
 * `tasks/get`, `tasks/update` and `tasks/cancel` go to the provider that owns the task. Requests and
 * answers travel on the provider connection's raw channel: SDK 2.4.0's client refuses task shapes.
 * The call that creates a task holds the provider's `max_concurrency` permit (and a global one) as any
 * call does, until the provider answers; a live task then holds its provider up (`TaskLeases`) until it
 * is seen terminal, cancelled, or its time runs out.
 */
export class TaskRelay {
  private readonly leases: TaskLeases;

  constructor(
    private readonly gateway: Gateway,
    private readonly ids: TaskIds = new TaskIds(),
  ) {
    this.leases = new TaskLeases(gateway.clock);
  }

  /** Relayed tasks holding their provider up now. */
  get live(): number {
    return this.leases.size;
  }

  /** Advertises the extension on a 2026 instance and serves its methods there. */
  serveOn(server: Server): void {
    server.registerCapabilities({ extensions: { [TASKS_EXTENSION]: {} } });
    const params = { params: TaskParams };
    server.setRequestHandler("tasks/get", params, async ({ taskId }, ctx) => {
      const answer = await this.forward(ctx, taskId, "tasks/get", {});
      return { ...answer, taskId };
    });
    server.setRequestHandler("tasks/update", params, async ({ taskId }, ctx) => {
      await this.forward(ctx, taskId, "tasks/update", { inputResponses: ctx.mcpReq.inputResponses ?? {} });
      return {};
    });
    server.setRequestHandler("tasks/cancel", params, async ({ taskId }, ctx) => {
      await this.forward(ctx, taskId, "tasks/cancel", {});
      return {};
    });
  }

  /**
   * A pass-through call for a client that declared the extension, to a provider that offers it: the
   * provider's answer (a task under Hangar's id, or its result). Undefined when either side lacks tasks,
   * and the call goes the ordinary way.
   */
  async call(
    target: Target,
    args: Record<string, unknown> | undefined,
    ctx: ServerContext,
    relay?: RelayCodec,
  ): Promise<Relayed | undefined> {
    if (!declaresTasks(ctx)) return undefined;
    const extra = extraOf(ctx);
    // With `relay`, a provider's input_required before its task reaches the client sealed, as on the
    // ordinary path, and the client's next round (answers, the provider's state) goes on this one.
    const round = relay ? inputRoundOf(ctx, target) : undefined;
    const token = extra._meta?.progressToken;
    return providerRequest(this.gateway, target.providerId, extra.signal, async (client, signal) => {
      const raw = client.getProtocolEra() === "modern" && offersTasks(client) ? rawChannelOf(client) : undefined;
      if (!raw) return undefined;
      const release = await this.gateway.permits(target.providerId, signal);
      let sent = Promise.resolve();
      const progress =
        token === undefined
          ? undefined
          : raw.progress((p: Progress) => {
              sent = sent.then(() => notifyProgress(extra, token, p));
            });
      try {
        const answer = await request(
          raw,
          "tools/call",
          withInputRound({ name: target.name, ...(args === undefined ? {} : { arguments: args }) }, round, {
            ...traceOf(extra),
            ...(progress ? { progressToken: progress.token } : {}),
          }),
          signal,
        );
        await sent;
        if (answer.resultType === "input_required") {
          // Without the relay's codec its state would reach the client unsealed: refused instead.
          if (!relay)
            throw new ProtocolError(
              ProtocolErrorCode.InternalError,
              `Provider "${target.providerId}" asked for input on a call relayed as a task, which Hangar relays only with its input relay`,
            );
          return relayedInputRequired(
            answer as unknown as InputRequiredResult,
            target,
            relay,
            ctx,
          ) as unknown as Relayed;
        }
        if (answer.resultType !== "task" || typeof answer.taskId !== "string") return answer;
        const handle = this.gateway.handles.get(target.providerId);
        if (handle && !isTerminal(answer.status))
          this.leases.hold(leaseKey(target.providerId, answer.taskId), handle.hold(), answer.ttlMs);
        return { ...answer, taskId: this.ids.mint({ provider: target.providerId, upstream: answer.taskId }) };
      } finally {
        release();
        progress?.stop();
      }
    });
  }

  /** Sends a `tasks/*` request for Hangar's task `taskId` to the provider that owns it. */
  private async forward(ctx: ServerContext, taskId: string, method: string, params: Relayed): Promise<Relayed> {
    if (!declaresTasks(ctx))
      throw new ProtocolError(
        ProtocolErrorCode.MissingRequiredClientCapability,
        `${method} needs the ${TASKS_EXTENSION} extension: declare it in the request's client capabilities`,
        { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
      );
    const owner = this.ids.open(taskId);
    if (!owner || !this.gateway.handles.has(owner.provider))
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown task "${taskId}"`);
    const signal = ctx.mcpReq.signal;
    const key = leaseKey(owner.provider, owner.upstream);
    try {
      const answer = await providerRequest(this.gateway, owner.provider, signal, async (client, signal) =>
        request(rawOf(client, owner), method, { ...params, taskId: owner.upstream }, signal),
      );
      // The task is over (or, cancelled, about to be): its provider may idle again.
      if (method === "tasks/cancel" || isTerminal(answer.status)) this.leases.end(key);
      return answer;
    } catch (error) {
      // The provider does not know the task (any more): nothing to keep it up for.
      if (error instanceof ProtocolError && error.code === ProtocolErrorCode.InvalidParams) this.leases.end(key);
      throw error;
    }
  }
}

/** The key of a relayed task's lease: its provider and the provider's own task id. */
const leaseKey = (provider: string, upstream: string) => `${provider}\u0000${upstream}`;

/** Whether this 2026 request's client declared the tasks extension (in its `_meta` client capabilities). */
function declaresTasks(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, { extensions?: Record<string, unknown> } | undefined>;
  return envelope?.[CLIENT_CAPABILITIES_META_KEY]?.extensions?.[TASKS_EXTENSION] !== undefined;
}

function rawOf(client: ProviderClient, owner: TaskOwner): RawChannel {
  const raw = client.getProtocolEra() === "modern" ? rawChannelOf(client) : undefined;
  if (!raw) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Provider "${owner.provider}" has no tasks`);
  return raw;
}

/**
 * Sends a 2026-07-28 request on the raw channel, framed as the SDK would (version, client info, the
 * client's capabilities with the tasks extension), and resolves with its result without what the
 * provider says of itself in `_meta`; a JSON-RPC error is thrown as the provider sent it.
 */
async function request(raw: RawChannel, method: string, params: Relayed, signal: AbortSignal): Promise<Relayed> {
  const { _meta: meta, ...rest } = params as Relayed & { _meta?: Relayed };
  // The client's own capabilities when the call carries them (an input round), else Hangar's.
  const capabilities = (meta?.[CLIENT_CAPABILITIES_META_KEY] ?? raw.clientCapabilities) as { extensions?: Relayed };
  const framed = {
    ...rest,
    _meta: {
      ...meta,
      [PROTOCOL_VERSION_META_KEY]: MODERN_VERSION,
      [CLIENT_INFO_META_KEY]: { name: "hangar", version: VERSION },
      [CLIENT_CAPABILITIES_META_KEY]: {
        ...capabilities,
        extensions: { ...capabilities.extensions, [TASKS_EXTENSION]: {} },
      },
    },
  };
  const response = await raw.dispatch({ method, params: framed } as never, { signal });
  if (response.kind === "error")
    throw new ProtocolError(response.error.code, response.error.message, response.error.data);
  const result = response.result as Relayed & { _meta?: Relayed };
  if (!result._meta) return result;
  const { [SERVER_INFO_META_KEY]: _server, [PROTOCOL_VERSION_META_KEY]: _version, ...kept } = result._meta;
  const { _meta: _, ...body } = result;
  return Object.keys(kept).length === 0 ? body : { ...body, _meta: kept };
}
