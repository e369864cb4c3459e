import type { Clock } from "../clock.ts";
import { messageOf } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { ProviderCatalog, ProviderHandle } from "../pool/index.ts";
import type { CatalogCache } from "./catalog-cache.ts";
import { ExposedCatalog, warnCollisions } from "./exposed-catalog.ts";
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
  /** Times the gathering of changes and the warm-up's hold (default: the gateway's clock). */
  readonly clock?: Clock;
  /** How long to gather changes before telling listeners, in ms (default 50). */
  readonly settleMs?: number;
  /** The longest a warm-up holds back list answers and change notifications, in ms (default 3000). */
  readonly warmUpHoldMs?: number;
}

/**
 * Every provider's tools, prompts and resources, and who wants to hear when they change. A catalog comes
 * from the live provider when it has started, else from the disk cache; it is saved to the cache whenever
 * a provider lists something new, and listeners hear once per burst of changes. `exposed` is how a client
 * sees it all, rebuilt on every change.
 */
export class Catalog {
  private readonly entries = new Map<string, { catalog: ProviderCatalog | undefined; source: CatalogSource }>();
  private readonly listeners = new Set<(kinds: ReadonlySet<ListKind>) => void>();
  private readonly clock: Clock;
  private pending = new Set<ListKind>();
  private timer: unknown;
  /** Set while a warm-up holds list answers and notifications back. */
  private holding = false;
  private held = Promise.resolve();
  private view!: ExposedCatalog;
  private readonly unsubscribe: (() => void)[] = [];
  /** The provider instance each entry follows, and how to stop following it. */
  private readonly followed = new Map<string, { handle: ProviderHandle; stop: () => void }>();
  /** Name collisions already warned about, so each is logged once. */
  private readonly warned = new Set<string>();
  /** The background listing under way (`listInBackground`). */
  private background: Promise<void> | undefined;
  /** Aborted by `close`: ends background listings (of unknown providers, of providers a reload added). */
  private readonly closing = new AbortController();

  constructor(
    private readonly gateway: Gateway,
    private readonly options: CatalogOptions,
  ) {
    this.clock = options.clock ?? gateway.clock;
    options.cache?.removeLeftovers();
    this.follow();
    this.rebuild();
    this.unsubscribe.push(gateway.onReload(() => this.reloaded()));
  }

  /**
   * Follows the gateway's provider instances: a new one (added, or relaunched by a reload) starts from
   * its live catalog or the cache of its launch config; a removed one is forgotten.
   */
  private follow(): ProviderHandle[] {
    const previous = new Map<string, { catalog: ProviderCatalog | undefined; source: CatalogSource }>();
    for (const [id, { handle, stop }] of this.followed) {
      if (this.gateway.handles.get(id) === handle) continue;
      stop();
      this.followed.delete(id);
      previous.set(id, this.entry(id));
      this.entries.delete(id);
    }
    const fresh: ProviderHandle[] = [];
    for (const handle of this.gateway.handles.values()) {
      const id = handle.config.id;
      if (this.followed.has(id)) continue;
      fresh.push(handle);
      const listed = handle.catalog.listed;
      const known = listed ?? this.fromCache(handle);
      // A relaunched provider shows what it listed before until its new instance has listed.
      const before = known === undefined ? previous.get(id) : undefined;
      this.entries.set(
        id,
        before?.catalog
          ? { catalog: before.catalog, source: "cache" }
          : { catalog: known && uniqueCatalog(known).catalog, source: listed ? "live" : known ? "cache" : "none" },
      );
      this.followed.set(id, { handle, stop: handle.catalog.onChange((catalog) => this.update(handle, catalog)) });
    }
    return fresh;
  }

  /** After a reload: follow the new instances, rebuild the view, and tell listeners which lists a client sees changed. */
  private reloaded(): void {
    const before = this.view;
    const fresh = new Set(this.follow());
    this.rebuild();
    // New instances list now, so a client hears of their tools (list_changed) without calling first.
    if (fresh.size > 0)
      void this.gateway
        .startAll({ signal: this.closing.signal, only: (handle) => fresh.has(handle) && handle.config.expose })
        .then((failures) => {
          for (const [provider, error] of failures)
            this.options.logger.warn({ provider, err: messageOf(error) }, "cannot list provider's tools");
        });
    const after = this.view;
    if (!sameJson(before.tools(), after.tools())) this.pending.add("tools");
    if (!sameJson(before.prompts(), after.prompts())) this.pending.add("prompts");
    if (
      !sameJson(before.resources(), after.resources()) ||
      !sameJson(before.resourceTemplates(), after.resourceTemplates())
    )
      this.pending.add("resources");
    this.schedule();
  }

  /** What a client sees of the catalog now: exposed names and URIs, and the way back to each provider's own. */
  get exposed(): ExposedCatalog {
    return this.view;
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
   * Lists, `concurrency` at a time, every provider whose catalog is not known yet (`Gateway.startAll`).
   * Until that ends (or `warmUpHoldMs` passes), `settled()` waits and listeners hear nothing; then once.
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
    const cap = this.clock.setTimeout(release, this.options.warmUpHoldMs ?? 3000);
    try {
      await this.listUnknown(signal, { concurrency });
    } finally {
      this.clock.clearTimeout(cap);
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
    const failures = await this.gateway.startAll({
      signal,
      concurrency,
      only: (h) => this.entry(h.config.id).catalog === undefined && (h.config.expose || !exposedOnly),
    });
    for (const [provider, error] of failures)
      this.options.logger.warn({ provider, err: messageOf(error) }, "cannot list provider's tools");
  }

  /**
   * Starts listing, in the background, every provider whose catalog is not known yet, unless such a
   * listing is already under way; returns at once. A tool search calls it for the providers it could
   * not search; the catalog's close ends it.
   */
  listInBackground(): void {
    if (this.background || this.closing.signal.aborted) return;
    this.background = this.listUnknown(this.closing.signal)
      .catch((error: unknown) => this.options.logger.warn({ err: messageOf(error) }, "background listing failed"))
      .finally(() => (this.background = undefined));
  }

  /** Stops following the providers. */
  close(): void {
    this.closing.abort();
    for (const stop of this.unsubscribe.splice(0)) stop();
    for (const { stop } of this.followed.values()) stop();
    this.followed.clear();
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * A provider's cached catalog, as far as pinning lets it be served: with `block`, a definition that is
   * not the pinned one is left out, and the file is rewritten without it (the cache never keeps it).
   */
  private fromCache(handle: ProviderHandle): ProviderCatalog | undefined {
    const cache = this.options.cache;
    const cached = cache?.read(handle.config);
    const pins = this.gateway.pins;
    if (cache === undefined || cached === undefined || pins === undefined) return cached;
    const screened = pins.screen(handle.config.id, cached);
    if (screened === cached) return cached;
    try {
      cache.write(handle.config, screened);
    } catch (error) {
      this.options.logger.warn(
        { provider: handle.config.id, err: messageOf(error) },
        "cannot save the provider's catalog",
      );
    }
    return screened;
  }

  private update(handle: ProviderHandle, listed: ProviderCatalog): void {
    const id = handle.config.id;
    if (this.followed.get(id)?.handle !== handle) return; // a retired instance, still finishing its calls
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
    this.timer ??= this.clock.setTimeout(() => this.flush(), this.options.settleMs ?? 50);
  }

  private flush(): void {
    this.timer = undefined;
    const kinds = this.pending;
    this.pending = new Set();
    if (kinds.size === 0) return;
    for (const listener of this.listeners) listener(kinds);
  }

  private rebuild(): void {
    const sources = [...this.gateway.handles.values()].map((handle) => ({
      handle,
      catalog: this.entry(handle.config.id).catalog,
    }));
    this.view = new ExposedCatalog(sources, this.options.reserved);
    warnCollisions(this.view, this.options.logger, this.warned);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
