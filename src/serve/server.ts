import {
  type CacheHint,
  type CallToolResult,
  isInputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
} from "@modelcontextprotocol/server";
import { closest } from "../gateway/closest.ts";
import { withClientCapabilities, withInputRound } from "../pool/index.ts";
import { VERSION } from "../version.ts";
import type { Catalog } from "./catalog.ts";
import type { Era } from "./era.ts";
import type { FrontDeps } from "./front-deps.ts";
import { HANGAR_TOOL_NAMES, hangarTool, hangarTools, withoutUnknownKeys } from "./hangar-tools.ts";
import { inputRoundOf, type RelayCodec, relayedInputRequired } from "./input-relay.ts";
import { exposedUri, type Target } from "./names.ts";
import { answerOf, callThrough } from "./pass-through.ts";
import { type ProviderClient, providerRequest } from "./provider-request.ts";
import { type Extra, extraOf } from "./request-context.ts";
import type { ServerBridge } from "./server-bridge.ts";
import { withheldTool } from "./withheld-tool.ts";

/**
 * Cache hints of the 2026-07-28 list results. Every caller gets the same lists (Hangar has no per-caller
 * catalog), so they may be shared, but they change whenever a provider's does: `ttlMs` 0, and
 * `subscriptions/listen` tells when. A resource's contents come from a provider whose answer Hangar
 * cannot judge: private, unless the provider said otherwise.
 */
const CACHE_HINTS: Record<
  "tools/list" | "prompts/list" | "resources/list" | "resources/templates/list" | "resources/read" | "server/discover",
  CacheHint
> = {
  "server/discover": { ttlMs: 0, cacheScope: "public" },
  "tools/list": { ttlMs: 0, cacheScope: "public" },
  "prompts/list": { ttlMs: 0, cacheScope: "public" },
  "resources/list": { ttlMs: 0, cacheScope: "public" },
  "resources/templates/list": { ttlMs: 0, cacheScope: "public" },
  "resources/read": { ttlMs: 0, cacheScope: "private" },
};

/** Who Hangar's server says it is (the 2026 results' `io.modelcontextprotocol/serverInfo` too). */
export const SERVER_INFO = { name: "hangar", title: "Hangar", version: VERSION } as const;

/**
 * Hangar's MCP server, not yet connected to a transport: tools, prompts, resources, completion and
 * logging. `relay` seals and checks the `requestState` of relayed multi-round-trip calls.
 */
export function createServer(relay: RelayCodec): Server {
  return new Server(
    { ...SERVER_INFO },
    {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true },
        completions: {},
        logging: {},
      },
      cacheHints: CACHE_HINTS,
      requestState: { verify: (state, ctx) => relay.verify(state, ctx) },
      instructions:
        "Hangar fronts several MCP servers (providers). To run two or more independent tool calls, use hangar_call: they run in parallel and come back together. To find a tool, search with hangar_tools {query} (it also finds tools not listed directly), then run it with hangar_call. hangar_status shows providers' health. Exposed provider tools are also listed directly as <provider>__<tool>.",
    },
  );
}

/**
 * Serves the gateway on `server`, an instance of `era`: Hangar's own tools, every exposed provider's
 * tools, prompts and resources under mapped names, and completion routed to the owner. On a 2026
 * instance a provider tool's `input_required` reaches the client as Hangar's own (sealed with `relay`),
 * and the client's answers go back to that provider. A provider tool called by its name is a transparent
 * proxy: the provider's JSON-RPC error answer is the client's (hangar_call reports it per call instead). Telling the client that a list changed is the
 * serving entry's job (it knows the era and the listeners).
 */
export function serveGateway(
  server: Server,
  deps: FrontDeps,
  { bridge, era = "legacy", relay }: { bridge?: ServerBridge | undefined; era?: Era; relay?: RelayCodec } = {},
): void {
  const { gateway, catalog } = deps.hangar;
  const own = hangarTools();

  /**
   * What a 2025 client declared at `initialize`, which its requests tell a 2026-07-28 provider (see
   * `CallOneOptions.clientCapabilities`); undefined for a 2026 client, whose requests name their own.
   */
  const declared = () => (era === "modern" ? undefined : server.getClientCapabilities());

  server.setRequestHandler("tools/list", async () => {
    await catalog.settled();
    return { tools: [...own, ...catalog.exposed.tools()] };
  });

  server.setRequestHandler("tools/call", async (request, ctx) => {
    const extra = extraOf(ctx);
    const { name, arguments: args } = request.params;
    const own = hangarTool(name);
    if (own)
      return own.call(
        deps,
        withoutUnknownKeys(args ?? {}, own.input),
        era === "modern" ? { ...extra, modern: true } : { ...extra, clientCapabilities: declared() },
      );
    const target = await findListed(
      catalog,
      extra.signal,
      () => catalog.exposed.resolveTool(name) ?? withheldTool(gateway, name),
    );
    if (target === undefined)
      throw unknown("tool", name, [...HANGAR_TOOL_NAMES, ...catalog.exposed.tools().map((t) => t.name)]);
    const task = await deps.tasks?.call(target, args, ctx, era === "modern" ? relay : undefined);
    if (task) return task as CallToolResult;
    const inputRound = era === "modern" && relay ? inputRoundOf(ctx, target) : undefined;
    // A provider is told what this call's client can answer: a 2026 client in its round, a 2025 one here.
    const result = await callThrough(deps, target, args, extra, inputRound, declared());
    if (relay && isInputRequiredResult(result.result)) return relayedInputRequired(result.result, target, relay, ctx);
    const answer = answerOf(server, result);
    if ("result" in answer) return answer.result;
    // A transparent proxy: the provider's own JSON-RPC error (e.g. -32021 with its data) is the client's.
    throw new ProtocolError(answer.error.code, answer.error.message, answer.error.data);
  });

  server.setRequestHandler("prompts/list", async () => {
    await catalog.settled();
    return { prompts: catalog.exposed.prompts() };
  });
  server.setRequestHandler("prompts/get", async (request, ctx) => {
    const extra = extraOf(ctx);
    const target = await findListed(catalog, extra.signal, () => catalog.exposed.resolvePrompt(request.params.name));
    if (target === undefined)
      throw unknown(
        "prompt",
        request.params.name,
        catalog.exposed.prompts().map((p) => p.name),
      );
    const { name: _, ...params } = request.params;
    if (era !== "modern" || relay === undefined)
      return upstream(deps, target, extra, (client, signal) =>
        client.getPrompt(withClientCapabilities(client, { ...params, name: target.name }, declared()), {
          signal,
        }),
      );
    const round = inputRoundOf(ctx, target);
    const answer = await upstream(deps, target, extra, (client, signal) =>
      client.request(
        { method: "prompts/get", params: withInputRound({ ...params, name: target.name }, round) },
        { signal, allowInputRequired: true },
      ),
    );
    return isInputRequiredResult(answer) ? relayedInputRequired(answer, target, relay, ctx) : answer;
  });

  server.setRequestHandler("resources/list", async () => {
    await catalog.settled();
    return { resources: catalog.exposed.resources() };
  });
  server.setRequestHandler("resources/templates/list", async () => {
    await catalog.settled();
    return { resourceTemplates: catalog.exposed.resourceTemplates() };
  });
  server.setRequestHandler("resources/read", async (request, ctx) => {
    const extra = extraOf(ctx);
    const target = await findListed(catalog, extra.signal, () => catalog.exposed.resolveUri(request.params.uri));
    if (target === undefined) throw notFound(request.params.uri);
    const prefix = gateway.handles.get(target.providerId)!.config.prefix;
    const result = await upstream(deps, target, extra, (client, signal) =>
      client.readResource(withClientCapabilities(client, { ...request.params, uri: target.name }, declared()), {
        signal,
      }),
    );
    return {
      ...result,
      contents: result.contents.map((c) => ({ ...c, uri: exposedUri(target.providerId, c.uri, prefix) })),
    };
  });

  server.setRequestHandler("completion/complete", async (request, ctx) => {
    const ref = request.params.ref;
    const target =
      ref.type === "ref/prompt" ? catalog.exposed.resolvePrompt(ref.name) : catalog.exposed.resolveTemplate(ref.uri);
    if (target === undefined)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `Unknown ${ref.type === "ref/prompt" ? "prompt" : "resource template"} in completion`,
      );
    const forwarded = ref.type === "ref/prompt" ? { ...ref, name: target.name } : { ...ref, uri: target.name };
    return upstream(deps, target, extraOf(ctx), (client, signal) =>
      client.complete(withClientCapabilities(client, { ...request.params, ref: forwarded }, declared()), {
        signal,
      }),
    );
  });

  server.setNotificationHandler("notifications/roots/list_changed", async () => {
    await bridge?.rootsChanged();
  });
}

/**
 * Looks a name up; when it is not found, first lists the exposed providers not listed yet (a cold start
 * without a cache). A provider with `expose: false` never owns a name a client uses directly.
 */
async function findListed(
  catalog: Catalog,
  signal: AbortSignal,
  find: () => Target | undefined,
): Promise<Target | undefined> {
  const found = find();
  if (found !== undefined) return found;
  await catalog.listUnknown(signal, { exposedOnly: true });
  return find();
}

/** Sends the client's request, other than a tool call, to the provider behind `target`, through its breaker. */
async function upstream<T>(
  deps: FrontDeps,
  target: Target,
  extra: Extra,
  work: (client: ProviderClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const leave = deps.onUpstream?.(target.providerId, extra);
  try {
    return await providerRequest(deps.hangar.gateway, target.providerId, extra.signal, work);
  } finally {
    leave?.();
  }
}

/** The error for a resource URI no exposed provider has. */
export function notFound(uri: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.ResourceNotFound, `Unknown resource "${uri}"`, { uri });
}

function unknown(kind: string, name: string, known: string[]): ProtocolError {
  const guess = closest(name, known);
  return new ProtocolError(
    ProtocolErrorCode.InvalidParams,
    `Unknown ${kind} "${name}".${guess ? ` Did you mean "${guess}"?` : ""}`,
  );
}
