import type { Client } from "@modelcontextprotocol/client";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  CompleteRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type Progress,
  ReadResourceRequestSchema,
  type RequestId,
  RootsListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { messageOf } from "../errors.ts";
import { closest } from "../gateway/closest.ts";
import { VERSION } from "../version.ts";
import type { Catalog, ListKind } from "./catalog.ts";
import type { FrontDeps } from "./front-deps.ts";
import { HangarServer } from "./hangar-server.ts";
import { HANGAR_TOOL_NAMES, hangarTool, hangarTools, withoutUnknownKeys } from "./hangar-tools.ts";
import { exposedUri, type Target } from "./names.ts";
import { providerRequest } from "./provider-request.ts";
import { failure, notifyProgress, settleProgress, traceOf } from "./request-context.ts";
import type { ServerBridge } from "./server-bridge.ts";
import { withheldTool } from "./withheld-tool.ts";

/** Hangar's MCP server, not yet connected to a transport: tools, prompts, resources, completion and logging. */
export function createServer(): Server {
  return new HangarServer(
    { name: "hangar", title: "Hangar", version: VERSION },
    {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { listChanged: true },
        completions: {},
        logging: {},
      },
      instructions:
        "Hangar fronts several MCP servers (providers). To run two or more independent tool calls, use hangar_call: they run in parallel and come back together. To find a tool, search with hangar_tools {query} (it also finds tools not listed directly), then run it with hangar_call. hangar_status shows providers' health. Exposed provider tools are also listed directly as <provider>__<tool>.",
    },
  );
}

/**
 * Serves the gateway on `server`: Hangar's own tools, every exposed provider's tools, prompts and
 * resources under mapped names, completion routed to the owner, and list_changed when the catalog
 * changes. Returns a function that stops following the catalog.
 */
export function serveGateway(server: Server, deps: FrontDeps, bridge?: ServerBridge): () => void {
  const { gateway, catalog } = deps;
  const own = hangarTools();

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    await catalog.settled();
    return { tools: [...own, ...catalog.exposed.tools()] };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const { name, arguments: args } = request.params;
    const own = hangarTool(name);
    if (own) return own.call(deps, withoutUnknownKeys(args ?? {}, own.input), extra);
    const target = await findListed(
      catalog,
      extra.signal,
      () => catalog.exposed.resolveTool(name) ?? withheldTool(gateway, name),
    );
    if (target === undefined)
      throw unknown("tool", name, [...HANGAR_TOOL_NAMES, ...catalog.exposed.tools().map((t) => t.name)]);
    const token = extra._meta?.progressToken;
    let sent: Promise<void> | undefined;
    const forward =
      token === undefined
        ? undefined
        : (progress: Progress) => {
            sent = (sent ?? Promise.resolve()).then(() => notifyProgress(extra, token, progress));
          };
    const leave = deps.onUpstream?.(target.providerId, extra.requestId);
    const result = await gateway
      .callOne(
        { provider: target.providerId, tool: target.name, ...(args === undefined ? {} : { arguments: args }) },
        { signal: extra.signal, ...traceOf(extra), ...(forward ? { onProgress: forward } : {}) },
      )
      .finally(() => leave?.());
    if (sent) await settleProgress(sent);
    // The gateway speaks the v2 SDK's types, this front still v1's: the same wire data.
    if (result.result !== undefined) return result.result as CallToolResult;
    return failure(`${result.error?.type ?? "internal"}: ${result.error?.message ?? "the call failed"}`);
  });

  server.setRequestHandler(ListPromptsRequestSchema, async () => {
    await catalog.settled();
    return { prompts: catalog.exposed.prompts() };
  });
  server.setRequestHandler(GetPromptRequestSchema, async (request, extra) => {
    const target = await findListed(catalog, extra.signal, () => catalog.exposed.resolvePrompt(request.params.name));
    if (target === undefined)
      throw unknown(
        "prompt",
        request.params.name,
        catalog.exposed.prompts().map((p) => p.name),
      );
    const { name: _, ...params } = request.params;
    return upstream(deps, target, extra, (client, signal) =>
      client.getPrompt({ ...params, name: target.name }, { signal }),
    );
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    await catalog.settled();
    return { resources: catalog.exposed.resources() };
  });
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => {
    await catalog.settled();
    return { resourceTemplates: catalog.exposed.resourceTemplates() };
  });
  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const target = await findListed(catalog, extra.signal, () => catalog.exposed.resolveUri(request.params.uri));
    if (target === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown resource "${request.params.uri}"`);
    const prefix = gateway.handles.get(target.providerId)!.config.prefix;
    const result = await upstream(deps, target, extra, (client, signal) =>
      client.readResource({ ...request.params, uri: target.name }, { signal }),
    );
    return {
      ...result,
      contents: result.contents.map((c) => ({ ...c, uri: exposedUri(target.providerId, c.uri, prefix) })),
    };
  });

  server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const ref = request.params.ref;
    const target =
      ref.type === "ref/prompt" ? catalog.exposed.resolvePrompt(ref.name) : catalog.exposed.resolveTemplate(ref.uri);
    if (target === undefined)
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown ${ref.type === "ref/prompt" ? "prompt" : "resource template"} in completion`,
      );
    const forwarded = ref.type === "ref/prompt" ? { ...ref, name: target.name } : { ...ref, uri: target.name };
    return upstream(deps, target, extra, (client, signal) =>
      client.complete({ ...request.params, ref: forwarded }, { signal }),
    );
  });

  server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
    await bridge?.rootsChanged();
  });

  return catalog.onChange((kinds: ReadonlySet<ListKind>) => {
    if (server.getClientVersion() === undefined) return;
    const send = (promise: Promise<void>) =>
      promise.catch((error: unknown) => deps.logger.debug({ err: messageOf(error) }, "cannot send list_changed"));
    if (kinds.has("tools")) send(server.sendToolListChanged());
    if (kinds.has("prompts")) send(server.sendPromptListChanged());
    if (kinds.has("resources")) send(server.sendResourceListChanged());
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
  { signal, requestId }: { signal: AbortSignal; requestId: RequestId },
  work: (client: Client, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const leave = deps.onUpstream?.(target.providerId, requestId);
  try {
    return await providerRequest(deps.gateway, target.providerId, signal, work);
  } finally {
    leave?.();
  }
}

function unknown(kind: string, name: string, known: string[]): McpError {
  const guess = closest(name, known);
  return new McpError(ErrorCode.InvalidParams, `Unknown ${kind} "${name}".${guess ? ` Did you mean "${guess}"?` : ""}`);
}
