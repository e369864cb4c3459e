import type { Prompt, Resource, ResourceTemplate, Tool } from "@modelcontextprotocol/sdk/types.js";
import { messageOf } from "../errors.ts";
import { type Gateway, toolAllowed } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { ProviderCatalog, ProviderHandle } from "../pool/index.ts";
import type { CatalogCache } from "./catalog-cache.ts";
import { exposedUri, type NameCollision, NameTable, parsePrefixedUri, type Target, templateMatches } from "./names.ts";
import { hasDuplicates, uniqueCatalog } from "./unique-catalog.ts";

/** Which lists changed. */
export type ListKind = "tools" | "prompts" | "resources";

/** Where a provider's catalog came from: a live provider, the disk cache, or nowhere yet. */
export type CatalogSource = "live" | "cache" | "none";

/** Options of `Catalog`; every field says its default. */
export interface CatalogOptions {
  /** Names that belong to Hangar itself (its own tools). */
  readonly reserved: ReadonlySet<string>;
  /** Where catalogs are kept between runs (default: none). */
  readonly cache?: CatalogCache;
  readonly logger: Logger;
  /** How long to gather changes before telling listeners, in ms (default 50). */
  readonly settleMs?: number;
  /** The longest a warm-up holds back list answers and change notifications, in ms (default 3000). */
  readonly warmUpHoldMs?: number;
}

/**
 * Every provider's tools, prompts and resources, and how they are shown in front of Hangar. A catalog
 * comes from the live provider when it has started, else from the disk cache; it is saved to the cache
 * whenever a provider lists something new, and listeners hear once per burst of changes.
 */
export class Catalog {
  private readonly entries = new Map<string, { catalog: ProviderCatalog | undefined; source: CatalogSource }>();
  private readonly listeners = new Set<(kinds: ReadonlySet<ListKind>) => void>();
  private pending = new Set<ListKind>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Set while a warm-up holds list answers and notifications back. */
  private holding = false;
  private held = Promise.resolve();
  private toolNames!: NameTable;
  private promptNames!: NameTable;
  private readonly unsubscribe: (() => void)[] = [];
  /** Name collisions already warned about, so each is logged once. */
  private readonly warned = new Set<string>();

  constructor(
    private readonly gateway: Gateway,
    private readonly options: CatalogOptions,
  ) {
    options.cache?.removeLeftovers();
    for (const handle of gateway.handles.values()) {
      const cached = options.cache?.read(handle.config);
      const known = handle.catalog.listed ?? cached;
      this.entries.set(handle.config.id, {
        catalog: known && uniqueCatalog(known).catalog,
        source: handle.catalog.listed ? "live" : cached ? "cache" : "none",
      });
      this.unsubscribe.push(handle.catalog.onChange((catalog) => this.update(handle, catalog)));
    }
    this.rebuild();
  }

  /** Calls `listener` once per burst of changes, with the kinds of lists that changed. */
  onChange(listener: (kinds: ReadonlySet<ListKind>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A provider's catalog and where it came from. */
  entry(providerId: string): { catalog: ProviderCatalog | undefined; source: CatalogSource } {
    return this.entries.get(providerId) ?? { catalog: undefined, source: "none" };
  }

  /**
   * Starts, `concurrency` at a time, every provider that has no catalog yet, so its lists are known.
   * Until it ends (or `warmUpHoldMs` passes), `settled()` waits and listeners hear nothing; then once.
   */
  async warmUp(signal: AbortSignal, concurrency = 4): Promise<void> {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.holding = true;
    this.held = promise;
    const release = () => {
      this.holding = false;
      resolve();
      this.schedule();
    };
    const cap = setTimeout(release, this.options.warmUpHoldMs ?? 3000);
    try {
      await this.listUnknown(signal, { concurrency });
    } finally {
      clearTimeout(cap);
      release();
    }
  }

  /** Resolves when no warm-up holds the lists back: a first `tools/list` then shows every quick provider. */
  settled(): Promise<void> {
    return this.held;
  }

  /**
   * Starts every provider whose catalog is not known yet (sharing any start under way) and waits for it;
   * `concurrency` at a time (default 4); with `exposedOnly` (default false), only those whose items a
   * client can reach directly (`expose: true`).
   */
  async listUnknown(
    signal: AbortSignal,
    { concurrency = 4, exposedOnly = false }: { concurrency?: number; exposedOnly?: boolean } = {},
  ): Promise<void> {
    const queue = [...this.gateway.handles.values()].filter(
      (h) => this.entry(h.config.id).catalog === undefined && (h.config.expose || !exposedOnly),
    );
    const worker = async () => {
      for (let handle = queue.shift(); handle && !signal.aborted; handle = queue.shift()) {
        await handle.ensureReady(signal).catch((error: unknown) => {
          if (!signal.aborted)
            this.options.logger.warn(
              { provider: handle.config.id, err: messageOf(error) },
              "cannot list provider's tools",
            );
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
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
    return this.exposed().flatMap(({ id, prefix, catalog }) =>
      catalog.resources.map((r) => ({ ...r, uri: exposedUri(id, r.uri, prefix) })),
    );
  }

  /** The resource templates of exposed providers, URI templates mapped. */
  resourceTemplates(): ResourceTemplate[] {
    return this.exposed().flatMap(({ id, prefix, catalog }) =>
      catalog.resourceTemplates.map((t) => ({ ...t, uriTemplate: exposedUri(id, t.uriTemplate, prefix) })),
    );
  }

  /**
   * The provider and original URI behind an exposed URI: a prefixed one, a listed one, or a template's
   * match; only of an exposed provider (`expose: false` is reached only through `hangar_call`).
   */
  resolveUri(uri: string): Target | undefined {
    const prefixed = parsePrefixedUri(uri);
    if (prefixed && this.isExposed(prefixed.providerId)) return prefixed;
    const unprefixed = this.exposed().filter((p) => !p.prefix);
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
    if (prefixed && this.isExposed(prefixed.providerId)) return prefixed;
    const owner = this.exposed().find(
      (p) => !p.prefix && p.catalog.resourceTemplates.some((t) => t.uriTemplate === uriTemplate),
    );
    return owner ? { providerId: owner.id, name: uriTemplate } : undefined;
  }

  /** Stops following the providers. */
  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
    clearTimeout(this.timer);
  }

  /** Every exposed provider's items under their exposed names (items the table leaves out are hidden). */
  private named<T extends { name: string }>(items: (catalog: ProviderCatalog) => readonly T[], names: NameTable): T[] {
    return this.exposed().flatMap(({ id, catalog }) =>
      items(catalog).flatMap((item) => {
        const name = names.nameOf(id, item.name);
        return name === undefined ? [] : [{ ...item, name }];
      }),
    );
  }

  private isExposed(providerId: string): boolean {
    return this.gateway.handles.get(providerId)?.config.expose === true;
  }

  private exposed(): { id: string; prefix: boolean; catalog: ProviderCatalog; handle: ProviderHandle }[] {
    return [...this.gateway.handles.values()].flatMap((handle) => {
      const catalog = this.entry(handle.config.id).catalog;
      return handle.config.expose && catalog
        ? [{ id: handle.config.id, prefix: handle.config.prefix, catalog, handle }]
        : [];
    });
  }

  private update(handle: ProviderHandle, listed: ProviderCatalog): void {
    const id = handle.config.id;
    const { catalog, duplicates } = uniqueCatalog(listed);
    const before = this.entry(id).catalog;
    this.entries.set(id, { catalog, source: "live" });
    const changed = new Set<ListKind>();
    if (!sameJson(before?.tools, catalog.tools)) changed.add("tools");
    if (!sameJson(before?.prompts, catalog.prompts)) changed.add("prompts");
    if (
      !sameJson(before?.resources, catalog.resources) ||
      !sameJson(before?.resourceTemplates, catalog.resourceTemplates)
    )
      changed.add("resources");
    if (changed.size === 0) return;
    if (hasDuplicates(duplicates))
      this.options.logger.warn(
        { provider: id, ...duplicates },
        "provider lists a name more than once; only the first of each is used",
      );
    try {
      this.options.cache?.write(handle.config, catalog);
    } catch (error) {
      this.options.logger.warn({ provider: id, err: messageOf(error) }, "cannot save the provider's catalog");
    }
    this.rebuild();
    // A provider that is not exposed changes nothing a client lists (hangar_tools reads it live).
    if (!handle.config.expose) return;
    for (const kind of changed) this.pending.add(kind);
    this.schedule();
  }

  private schedule(): void {
    if (this.holding || this.pending.size === 0) return;
    this.timer ??= setTimeout(() => this.flush(), this.options.settleMs ?? 50);
  }

  private flush(): void {
    this.timer = undefined;
    const kinds = this.pending;
    this.pending = new Set();
    if (kinds.size === 0) return;
    for (const listener of this.listeners) listener(kinds);
  }

  private rebuild(): void {
    const exposed = this.exposed();
    this.toolNames = new NameTable(
      exposed.map(({ id, prefix, catalog, handle }) => ({
        providerId: id,
        prefix,
        names: catalog.tools.map((t) => t.name).filter((name) => toolAllowed(handle.config.tools, name)),
      })),
      this.options.reserved,
    );
    this.promptNames = new NameTable(
      exposed.map(({ id, prefix, catalog }) => ({ providerId: id, prefix, names: catalog.prompts.map((p) => p.name) })),
    );
    this.warnCollisions("tool", this.toolNames.collisions);
    this.warnCollisions("prompt", this.promptNames.collisions);
  }

  /** Logs each name collision once: the item left out, and who has its name. */
  private warnCollisions(kind: string, collisions: readonly NameCollision[]): void {
    for (const { providerId, name, shown, owner } of collisions) {
      const key = JSON.stringify([kind, providerId, name, shown]);
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      const taken = owner === "reserved" ? "hangar" : `${owner.providerId}: ${owner.name}`;
      this.options.logger.warn(
        { provider: providerId, [kind]: name, exposed_as: shown, taken_by: taken },
        `a ${kind}'s exposed name is taken; it is not listed (hangar_call still reaches it)`,
      );
    }
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
