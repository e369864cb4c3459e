import { CallError } from "../errors.ts";
import { type Gateway, toolAllowed } from "../gateway/index.ts";
import type { Catalog } from "./catalog.ts";

/** One provider in the `hangar_tools` answer. */
export interface ProviderTools {
  id: string;
  description?: string;
  state: string;
  /** Where the list came from: the running provider, the disk cache, or nowhere (it could not be listed). */
  catalog: string;
  tools: { name: string; description?: string; inputSchema: unknown; exposed_as?: string }[];
  /** Tools changed or added since they were pinned, withheld until `hangar pin` approves them (`pinning: block`). */
  withheld?: string[];
  error?: string;
}

/** Throws `unknown_provider` when `provider` is given and no provider has that id. */
export function checkProvider(gateway: Gateway, provider: string | undefined): void {
  if (provider !== undefined && !gateway.handles.has(provider)) {
    throw new CallError(
      "unknown_provider",
      `Unknown provider "${provider}". Known providers: ${[...gateway.handles.keys()].join(", ") || "none"}.`,
    );
  }
}

/**
 * The `hangar_tools` answer without a query: providers with their state and tools (allow/deny applied). A
 * provider with no known catalog is started to list it; one with a cached catalog is not.
 */
export async function toolsView(
  gateway: Gateway,
  catalog: Catalog,
  exposedName: (providerId: string, tool: string) => string | undefined,
  request: { provider?: string | undefined },
  signal: AbortSignal,
): Promise<{ providers: ProviderTools[] }> {
  checkProvider(gateway, request.provider);
  const handles = [...gateway.handles.values()].filter(
    (h) => request.provider === undefined || h.config.id === request.provider,
  );
  const providers = await Promise.all(
    handles.map(async (handle): Promise<ProviderTools> => {
      const id = handle.config.id;
      let error: string | undefined;
      if (catalog.entry(id).catalog === undefined) {
        await handle.ensureReady(signal).catch((e: unknown) => (error = e instanceof Error ? e.message : String(e)));
      }
      const entry = catalog.entry(id);
      const tools = (entry.catalog?.tools ?? [])
        .filter((tool) => toolAllowed(handle.config.tools, tool.name))
        .map((tool) => {
          const shown = exposedName(id, tool.name);
          return {
            name: tool.name,
            ...(tool.description === undefined ? {} : { description: tool.description }),
            inputSchema: tool.inputSchema,
            ...(shown === undefined ? {} : { exposed_as: shown }),
          };
        });
      const withheld = (gateway.pins?.changes(id) ?? []).filter((c) => c.withheld && c.kind === "tool");
      return {
        id,
        ...(handle.config.description === undefined ? {} : { description: handle.config.description }),
        state: handle.state,
        catalog: entry.source,
        tools,
        ...(withheld.length === 0 ? {} : { withheld: withheld.map((c) => c.name) }),
        ...(error === undefined ? {} : { error }),
      };
    }),
  );
  return { providers };
}
