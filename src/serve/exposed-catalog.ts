import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from "@modelcontextprotocol/server";
import { toolAllowed } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { ProviderCatalog, ProviderHandle } from "../pool/index.ts";
import { exposedUri, type NameCollision, NameTable, parsePrefixedUri, type Target, templateMatches } from "./names.ts";

/** One provider as the front sees it: its handle and its catalog, if known. */
export interface ExposedSource {
  readonly handle: ProviderHandle;
  readonly catalog: ProviderCatalog | undefined;
}

/** A provider's catalog in the front's (v2 server) types. */
interface FrontCatalog {
  readonly tools: readonly Tool[];
  readonly prompts: readonly Prompt[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
}

/** A provider with `expose: true` and a known catalog. */
interface Shown {
  readonly id: string;
  readonly prefix: boolean;
  readonly catalog: FrontCatalog;
}

/**
 * The catalog as the front serves it. The pool may still read it with the v1 client, whose types say
 * less about JSON Schema values than v2's; the wire data is the same.
 */
function frontCatalog(catalog: ProviderCatalog): FrontCatalog {
  return catalog as unknown as FrontCatalog;
}

/**
 * What a client sees of every exposed provider's catalog, at one moment: the names and URIs it is shown
 * (allow/deny applied, names mapped by `NameTable`) and the way back to the provider's own. Built afresh
 * whenever a catalog changes; `reserved` names (Hangar's own tools) are never given to a provider's item.
 */
export class ExposedCatalog {
  private readonly shown: readonly Shown[];
  private readonly exposedIds: ReadonlySet<string>;
  private readonly toolNames: NameTable;
  private readonly promptNames: NameTable;

  constructor(sources: readonly ExposedSource[], reserved: ReadonlySet<string>) {
    const exposed = sources.filter((s) => s.handle.config.expose);
    this.exposedIds = new Set(exposed.map((s) => s.handle.config.id));
    this.shown = exposed.flatMap(({ handle, catalog }) =>
      catalog ? [{ id: handle.config.id, prefix: handle.config.prefix, catalog: frontCatalog(catalog) }] : [],
    );
    const policies = new Map(exposed.map((s) => [s.handle.config.id, s.handle.config.tools]));
    this.toolNames = new NameTable(
      this.shown.map(({ id, prefix, catalog }) => ({
        providerId: id,
        prefix,
        names: catalog.tools.map((t) => t.name).filter((name) => toolAllowed(policies.get(id)!, name)),
      })),
      reserved,
    );
    this.promptNames = new NameTable(
      this.shown.map(({ id, prefix, catalog }) => ({
        providerId: id,
        prefix,
        names: catalog.prompts.map((p) => p.name),
      })),
    );
  }

  /** Items left out because their exposed name was taken, by kind. */
  get collisions(): { readonly tool: readonly NameCollision[]; readonly prompt: readonly NameCollision[] } {
    return { tool: this.toolNames.collisions, prompt: this.promptNames.collisions };
  }

  /** The tools of exposed providers, as a client sees them (allow/deny applied, names mapped). */
  tools(): Tool[] {
    return this.named((catalog) => catalog.tools, this.toolNames);
  }

  /** The provider and tool behind an exposed tool name. */
  resolveTool(name: string): Target | undefined {
    return this.toolNames.resolve(name);
  }

  /** The exposed name of a provider's tool (undefined when it is not exposed). */
  nameOf(providerId: string, tool: string): string | undefined {
    return this.toolNames.nameOf(providerId, tool);
  }

  /** The prompts of exposed providers, names mapped. */
  prompts(): Prompt[] {
    return this.named((catalog) => catalog.prompts, this.promptNames);
  }

  /** The provider and prompt behind an exposed prompt name. */
  resolvePrompt(name: string): Target | undefined {
    return this.promptNames.resolve(name);
  }

  /** The resources of exposed providers, URIs mapped. */
  resources(): Resource[] {
    return this.shown.flatMap(({ id, prefix, catalog }) =>
      catalog.resources.map((r) => ({ ...r, uri: exposedUri(id, r.uri, prefix) })),
    );
  }

  /** The resource templates of exposed providers, URI templates mapped. */
  resourceTemplates(): ResourceTemplate[] {
    return this.shown.flatMap(({ id, prefix, catalog }) =>
      catalog.resourceTemplates.map((t) => ({ ...t, uriTemplate: exposedUri(id, t.uriTemplate, prefix) })),
    );
  }

  /**
   * The provider and original URI behind an exposed URI: a prefixed one, a listed one, or a template's
   * match; only of an exposed provider (`expose: false` is reached only through `hangar_call`).
   */
  resolveUri(uri: string): Target | undefined {
    const prefixed = parsePrefixedUri(uri);
    if (prefixed && this.exposedIds.has(prefixed.providerId)) return prefixed;
    const unprefixed = this.shown.filter((p) => !p.prefix);
    const listed = unprefixed.find((p) => p.catalog.resources.some((r) => r.uri === uri));
    if (listed) return { providerId: listed.id, name: uri };
    const templated = unprefixed.find((p) =>
      p.catalog.resourceTemplates.some((t) => templateMatches(t.uriTemplate, uri)),
    );
    return templated ? { providerId: templated.id, name: uri } : undefined;
  }

  /** The provider and original URI template behind an exposed one (for completion), of an exposed provider. */
  resolveTemplate(uriTemplate: string): Target | undefined {
    const prefixed = parsePrefixedUri(uriTemplate);
    if (prefixed && this.exposedIds.has(prefixed.providerId)) return prefixed;
    const owner = this.shown.find(
      (p) => !p.prefix && p.catalog.resourceTemplates.some((t) => t.uriTemplate === uriTemplate),
    );
    return owner ? { providerId: owner.id, name: uriTemplate } : undefined;
  }

  /** Every exposed provider's items under their exposed names (items the table leaves out are hidden). */
  private named<T extends { name: string }>(items: (catalog: FrontCatalog) => readonly T[], names: NameTable): T[] {
    return this.shown.flatMap(({ id, catalog }) =>
      items(catalog).flatMap((item) => {
        const name = names.nameOf(id, item.name);
        return name === undefined ? [] : [{ ...item, name }];
      }),
    );
  }
}

/** Logs each name collision of `exposed` once (`warned` remembers them): the item left out, and who has its name. */
export function warnCollisions(exposed: ExposedCatalog, logger: Logger, warned: Set<string>): void {
  for (const [kind, collisions] of Object.entries(exposed.collisions)) {
    for (const { providerId, name, shown, owner } of collisions) {
      const key = JSON.stringify([kind, providerId, name, shown]);
      if (warned.has(key)) continue;
      warned.add(key);
      const taken = owner === "reserved" ? "hangar" : `${owner.providerId}: ${owner.name}`;
      logger.warn(
        { provider: providerId, [kind]: name, exposed_as: shown, taken_by: taken },
        `a ${kind}'s exposed name is taken; it is not listed (hangar_call still reaches it)`,
      );
    }
  }
}
