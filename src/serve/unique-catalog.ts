import type { ProviderCatalog } from "../pool/index.ts";

/** The names (or URIs) a provider listed more than once, by list; empty lists when there were none. */
export interface Duplicates {
  readonly tools: readonly string[];
  readonly prompts: readonly string[];
  readonly resources: readonly string[];
  readonly resourceTemplates: readonly string[];
}

/**
 * A catalog with each tool and prompt name, resource URI and template listed once (the first one
 * listed is kept), and what was left out. Exposed names must be unique: model APIs reject a whole tool
 * list that names one tool twice.
 */
export function uniqueCatalog(catalog: ProviderCatalog): { catalog: ProviderCatalog; duplicates: Duplicates } {
  const tools = firstOfEach(catalog.tools, (t) => t.name);
  const prompts = firstOfEach(catalog.prompts, (p) => p.name);
  const resources = firstOfEach(catalog.resources, (r) => r.uri);
  const resourceTemplates = firstOfEach(catalog.resourceTemplates, (t) => t.uriTemplate);
  return {
    catalog: {
      tools: tools.kept,
      prompts: prompts.kept,
      resources: resources.kept,
      resourceTemplates: resourceTemplates.kept,
    },
    duplicates: {
      tools: tools.repeated,
      prompts: prompts.repeated,
      resources: resources.repeated,
      resourceTemplates: resourceTemplates.repeated,
    },
  };
}

/** Whether any list had a duplicate. */
export function hasDuplicates(duplicates: Duplicates): boolean {
  return Object.values(duplicates).some((list: readonly string[]) => list.length > 0);
}

function firstOfEach<T>(items: readonly T[], keyOf: (item: T) => string): { kept: T[]; repeated: string[] } {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  const kept: T[] = [];
  for (const item of items) {
    const key = keyOf(item);
    if (seen.has(key)) repeated.add(key);
    else {
      seen.add(key);
      kept.push(item);
    }
  }
  return { kept, repeated: [...repeated] };
}
