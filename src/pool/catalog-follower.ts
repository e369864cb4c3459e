import type { Clock } from "../clock.ts";
import { messageOf, TimeoutError } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { type Connection, NO_SDK_TIMEOUT } from "../providers/index.ts";
import { deadline } from "../scheduler/deadline.ts";
import type { CatalogReview } from "./catalog-review.ts";
import { type ProviderCatalog, type ReadCatalogOptions, readCatalog } from "./read-catalog.ts";

/** What a `CatalogFollower` needs to know of its provider. */
export interface CatalogFollowerOptions {
  readonly id: string;
  /** How long one re-read of a changed list may take, in ms (the provider's `startup_timeout_s`). */
  readonly listTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** What may be served of each listing (default: all of it). */
  readonly review?: CatalogReview;
}

/**
 * One provider's catalog as it last listed it: set when the provider starts, re-read (only the list that
 * changed) when it sends a `list_changed` notification, and told to every listener each time. With a
 * `review`, only what the review lets through is served, and it is told again when the review is revised.
 */
export class CatalogFollower {
  /** The listing as the provider gave it. */
  private raw: ProviderCatalog | undefined;
  /** What of `raw` the review lets through. */
  private current: ProviderCatalog | undefined;
  private readonly listeners = new Set<(catalog: ProviderCatalog) => void>();

  constructor(private options: CatalogFollowerOptions) {
    options.review?.onRevised(() => {
      if (this.raw === undefined) return;
      this.take(this.raw);
      this.emit();
    });
  }

  /** Takes a new re-read timeout (a config reload changed `startup_timeout_s`). */
  retune(listTimeoutMs: number): void {
    this.options = { ...this.options, listTimeoutMs };
  }

  /** What the provider offered when it last listed, as far as the review lets it be served (undefined before its first start). */
  get listed(): ProviderCatalog | undefined {
    return this.current;
  }

  /** Calls `listener` with the fresh catalog whenever the provider starts or says a list changed. */
  onChange(listener: (catalog: ProviderCatalog) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Takes the catalog a provider listed as it started, tells the listeners, and from now on re-reads a
   * list when `connection` says it changed, for as long as `isCurrent()` holds.
   */
  follow(connection: Connection, listed: ProviderCatalog, isCurrent: () => boolean): void {
    this.take(listed);
    const { id, listTimeoutMs, clock, logger } = this.options;
    const reread = (which: ReadCatalogOptions) => () => {
      const previous = this.raw;
      if (!isCurrent() || previous === undefined) return Promise.resolve();
      const limit = deadline(clock, listTimeoutMs, () => new TimeoutError(`Provider "${id}" did not list in time`));
      return readCatalog(connection.client, limit.signal, which, previous)
        .then((catalog) => {
          if (!isCurrent()) return;
          this.take(catalog);
          this.emit();
        })
        .catch((error: unknown) =>
          logger.warn({ provider: id, err: messageOf(error) }, "cannot re-read a changed list"),
        )
        .finally(() => limit.clear());
    };
    const client = connection.client;
    client.setNotificationHandler(
      "notifications/tools/list_changed",
      reread({ tools: true, prompts: false, resources: false }),
    );
    client.setNotificationHandler(
      "notifications/prompts/list_changed",
      reread({ tools: false, prompts: true, resources: false }),
    );
    client.setNotificationHandler(
      "notifications/resources/list_changed",
      reread({ tools: false, prompts: false, resources: true }),
    );
    if (connection.era.era === "modern") listenForChanges(connection, id, logger, isCurrent);
    this.emit();
  }

  /** Keeps a fresh listing and what of it may be served. */
  private take(listed: ProviderCatalog): void {
    this.raw = listed;
    this.current = this.options.review ? this.options.review.review(this.options.id, listed) : listed;
  }

  private emit(): void {
    const catalog = this.current;
    if (catalog === undefined) return;
    for (const listener of this.listeners) {
      try {
        listener(catalog);
      } catch (error) {
        this.options.logger.error({ provider: this.options.id, err: messageOf(error) }, "catalog listener failed");
      }
    }
  }
}

/**
 * A 2026-07-28 provider sends no unsolicited notifications: its list changes come on a
 * `subscriptions/listen` stream, held open for as long as the connection lives (the handlers above
 * receive them).
 */
function listenForChanges(connection: Connection, id: string, logger: Logger, isCurrent: () => boolean): void {
  const capabilities = connection.client.getServerCapabilities() ?? {};
  const filter = {
    ...(capabilities.tools?.listChanged ? { toolsListChanged: true } : {}),
    ...(capabilities.prompts?.listChanged ? { promptsListChanged: true } : {}),
    ...(capabilities.resources?.listChanged ? { resourcesListChanged: true } : {}),
  };
  if (Object.keys(filter).length === 0) return;
  connection.client.listen(filter, { timeout: NO_SDK_TIMEOUT }).catch((error: unknown) => {
    // A connection that ended took its stream with it; only a live one that refused is worth a warning.
    if (isCurrent()) logger.warn({ provider: id, err: messageOf(error) }, "cannot follow list changes");
  });
}
