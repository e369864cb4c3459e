import type {
  Client,
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from "@modelcontextprotocol/client";
import { NO_SDK_TIMEOUT } from "../providers/index.ts";
import { rawToolsListPage } from "./raw-tools-list.ts";

/** What a provider offers, read in full (every page) when it starts and when it says its lists changed. */
export interface ProviderCatalog {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
}

/** A catalog with nothing in it. */
export const EMPTY_CATALOG: ProviderCatalog = Object.freeze({
  tools: [],
  prompts: [],
  resources: [],
  resourceTemplates: [],
});

/** Which lists to read; every field defaults to true. */
export interface ReadCatalogOptions {
  readonly tools?: boolean;
  readonly prompts?: boolean;
  readonly resources?: boolean;
}

/**
 * The most hangar reads of one list (tools, prompts, resources or resource templates) of one provider:
 * a provider that always returns a `nextCursor`, or lists without end, must not exhaust hangar's memory.
 */
export const CATALOG_LIMITS = {
  /** Pages followed through `nextCursor`. */
  pages: 100,
  /** Items in all pages together. */
  items: 10_000,
  /** Bytes of the items as JSON, all pages together (16 MiB). */
  bytes: 16 * 1024 * 1024,
} as const;

/** A provider listed more than `CATALOG_LIMITS` allows; its start fails with this message. */
export class CatalogLimitError extends Error {
  override name = "CatalogLimitError";
}

/**
 * Reads every page of `tools/list`, `prompts/list`, `resources/list` and `resources/templates/list`,
 * each only when the server declared the capability. `previous` supplies the lists not asked for.
 */
export async function readCatalog(
  client: Client,
  signal: AbortSignal,
  options: ReadCatalogOptions = {},
  previous: ProviderCatalog = EMPTY_CATALOG,
): Promise<ProviderCatalog> {
  // A list a provider fails to give is left empty, unless it broke a limit: that fails the whole read.
  const orEmpty = (error: unknown): never[] => {
    if (error instanceof CatalogLimitError) throw error;
    return [];
  };
  const capabilities = client.getServerCapabilities() ?? {};
  const want = { tools: options.tools ?? true, prompts: options.prompts ?? true, resources: options.resources ?? true };
  const request = { signal, timeout: NO_SDK_TIMEOUT };
  // One request per page, raw: the SDK's list methods, given no cursor, read every page themselves (up to
  // 64, past Hangar's own limits) and keep the result in their cache.
  // A list not asked for keeps its previous value; one the server did not declare is empty.
  const list = <T>(wanted: boolean, previous: readonly T[], offered: unknown, read: () => Promise<readonly T[]>) =>
    !wanted ? previous : offered ? read() : [];
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    list(want.tools, previous.tools, capabilities.tools, () =>
      pages(
        // A 2026-07-28 stdio provider's everyday page is read past the SDK (issue 11: raw-tools-list.ts).
        async (params) =>
          (await rawToolsListPage(client, params, signal)) ?? client.request({ method: "tools/list", params }, request),
        (p) => p.tools,
        "tools",
      ),
    ),
    list(want.prompts, previous.prompts, capabilities.prompts, () =>
      pages(
        (params) => client.request({ method: "prompts/list", params }, request),
        (p) => p.prompts,
        "prompts",
      ).catch(orEmpty),
    ),
    list(want.resources, previous.resources, capabilities.resources, () =>
      pages(
        (params) => client.request({ method: "resources/list", params }, request),
        (p) => p.resources,
        "resources",
      ).catch(orEmpty),
    ),
    list(want.resources, previous.resourceTemplates, capabilities.resources, () =>
      pages(
        (params) => client.request({ method: "resources/templates/list", params }, request),
        (p) => p.resourceTemplates,
        "resource templates",
      ).catch(orEmpty),
    ),
  ]);
  return { tools, prompts, resources, resourceTemplates };
}

/** Follows `nextCursor` until the last page, within `CATALOG_LIMITS`. */
async function pages<P extends { nextCursor?: string | undefined }, T>(
  list: (params: { cursor?: string }) => Promise<P>,
  items: (page: P) => T[],
  what: string,
): Promise<T[]> {
  const all: T[] = [];
  let bytes = 0;
  let cursor: string | undefined;
  for (let count = 1; ; count++) {
    const page = await list(cursor === undefined ? {} : { cursor });
    const found = items(page);
    bytes += JSON.stringify(found).length;
    const broken =
      all.length + found.length > CATALOG_LIMITS.items
        ? `more than ${CATALOG_LIMITS.items} ${what}`
        : bytes > CATALOG_LIMITS.bytes
          ? `more than ${CATALOG_LIMITS.bytes / 1024 / 1024} MiB of ${what}`
          : page.nextCursor !== undefined && count >= CATALOG_LIMITS.pages
            ? `${what} in more than ${CATALOG_LIMITS.pages} pages`
            : undefined;
    if (broken !== undefined)
      throw new CatalogLimitError(
        `it listed ${broken} (hangar reads at most ${CATALOG_LIMITS.pages} pages, ${CATALOG_LIMITS.items} items ` +
          `and ${CATALOG_LIMITS.bytes / 1024 / 1024} MiB of each list)`,
      );
    for (const item of found) all.push(item);
    cursor = page.nextCursor;
    if (cursor === undefined) return all;
  }
}
