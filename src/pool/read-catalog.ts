import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Prompt, Resource, ResourceTemplate, Tool } from "@modelcontextprotocol/sdk/types.js";
import { NO_SDK_TIMEOUT } from "../providers/index.ts";

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
 * Reads every page of `tools/list`, `prompts/list`, `resources/list` and `resources/templates/list`,
 * each only when the server declared the capability. `previous` supplies the lists not asked for.
 */
export async function readCatalog(
  client: Client,
  signal: AbortSignal,
  options: ReadCatalogOptions = {},
  previous: ProviderCatalog = EMPTY_CATALOG,
): Promise<ProviderCatalog> {
  const capabilities = client.getServerCapabilities() ?? {};
  const want = { tools: options.tools ?? true, prompts: options.prompts ?? true, resources: options.resources ?? true };
  const request = { signal, timeout: NO_SDK_TIMEOUT };
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    !want.tools
      ? previous.tools
      : capabilities.tools
        ? pages(
            (cursor) => client.listTools(cursor, request),
            (p) => p.tools,
          )
        : [],
    !want.prompts
      ? previous.prompts
      : capabilities.prompts
        ? pages(
            (cursor) => client.listPrompts(cursor, request),
            (p) => p.prompts,
          ).catch(() => [])
        : [],
    !want.resources
      ? previous.resources
      : capabilities.resources
        ? pages(
            (cursor) => client.listResources(cursor, request),
            (p) => p.resources,
          ).catch(() => [])
        : [],
    !want.resources
      ? previous.resourceTemplates
      : capabilities.resources
        ? pages(
            (cursor) => client.listResourceTemplates(cursor, request),
            (p) => p.resourceTemplates,
          ).catch(() => [])
        : [],
  ]);
  return { tools, prompts, resources, resourceTemplates };
}

/** Follows `nextCursor` until the last page. */
async function pages<P extends { nextCursor?: string | undefined }, T>(
  list: (params: { cursor?: string }) => Promise<P>,
  items: (page: P) => T[],
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor === undefined ? {} : { cursor });
    all.push(...items(page));
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return all;
}
