import { type Gateway, toolAllowed } from "../gateway/index.ts";
import type { Catalog } from "./catalog.ts";
import type { ExposedCatalog } from "./exposed-catalog.ts";
import type { ToolIndex } from "./tool-search.ts";
import { checkProvider } from "./tools-view.ts";

/** How many tools a search returns unless asked for another number. */
export const DEFAULT_SEARCH_LIMIT = 10;

/** One tool a search found, best first. */
export interface FoundTool {
  provider: string;
  name: string;
  description?: string;
  inputSchema: unknown;
  /** The name `tools/list` shows it under, when its provider is exposed. */
  exposed_as?: string;
  score: number;
}

/** A provider a search could not look into: its catalog is not known yet (no cache, not listed yet). */
export interface UnknownProvider {
  id: string;
  state: string;
  last_error?: string;
}

/** The `hangar_tools {query}` answer. */
export interface ToolSearchAnswer {
  tools: FoundTool[];
  /** Providers being listed in the background; present only when some are; search again to include them. */
  unknown_providers?: UnknownProvider[];
}

/** One index per catalog view: the view is rebuilt whenever any provider's catalog changes. */
const indexes = new WeakMap<ExposedCatalog, ToolIndex>();

/**
 * The tools of every provider (or of `provider`) ranked by relevance to `query`, from the catalogs known
 * now (live or cached): a search never starts a provider or waits for one. Providers with no known
 * catalog are listed in the background (`Catalog.listInBackground`) and named in `unknown_providers`.
 * It waits only for a warm-up under way (at most its hold, as `tools/list` does).
 */
export async function searchTools(
  gateway: Gateway,
  catalog: Catalog,
  request: { query: string; provider?: string | undefined; limit?: number | undefined },
): Promise<ToolSearchAnswer> {
  checkProvider(gateway, request.provider);
  await catalog.settled();
  // The search engine (minisearch, stemmer) loads at the first search, not at every start (issue 11).
  const { ToolIndex } = await import("./tool-search.ts");
  const view = catalog.exposed;
  let index = indexes.get(view);
  if (index === undefined) {
    index = new ToolIndex(
      [...gateway.handles.values()].flatMap((handle) =>
        (catalog.entry(handle.config.id).catalog?.tools ?? [])
          .filter((tool) => toolAllowed(handle.config.tools, tool.name))
          .map((tool) => ({ provider: handle.config.id, providerDescription: handle.config.description, tool })),
      ),
    );
    indexes.set(view, index);
  }
  const tools = index
    .search(request.query, { limit: request.limit ?? DEFAULT_SEARCH_LIMIT, provider: request.provider })
    .map(({ provider, tool, score }): FoundTool => {
      const shown = view.nameOf(provider, tool.name);
      return {
        provider,
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        inputSchema: tool.inputSchema,
        ...(shown === undefined ? {} : { exposed_as: shown }),
        score,
      };
    });
  const unknown = [...gateway.handles.values()]
    .filter((h) => request.provider === undefined || h.config.id === request.provider)
    .filter((h) => catalog.entry(h.config.id).catalog === undefined)
    .map(
      ({ config, state, stats }): UnknownProvider => ({
        id: config.id,
        state,
        ...(stats.lastError === undefined ? {} : { last_error: stats.lastError }),
      }),
    );
  if (unknown.length === 0) return { tools };
  catalog.listInBackground();
  return { tools, unknown_providers: unknown };
}
