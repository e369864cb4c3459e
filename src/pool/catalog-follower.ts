import {
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { Clock } from "../clock.ts";
import { messageOf, TimeoutError } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import type { Connection } from "../providers/index.ts";
import { deadline } from "../scheduler/deadline.ts";
import { type ProviderCatalog, type ReadCatalogOptions, readCatalog } from "./read-catalog.ts";

/** What a `CatalogFollower` needs to know of its provider. */
export interface CatalogFollowerOptions {
  readonly id: string;
  /** How long one re-read of a changed list may take, in ms (the provider's `startup_timeout_s`). */
  readonly listTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * One provider's catalog as it last listed it: set when the provider starts, re-read (only the list that
 * changed) when it sends a `list_changed` notification, and told to every listener each time.
 */
export class CatalogFollower {
  private current: ProviderCatalog | undefined;
  private readonly listeners = new Set<(catalog: ProviderCatalog) => void>();

  constructor(private readonly options: CatalogFollowerOptions) {}

  /** Everything the provider offered when it last listed (undefined before its first start). */
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
    this.current = listed;
    const { id, listTimeoutMs, clock, logger } = this.options;
    const reread = (which: ReadCatalogOptions) => () => {
      const previous = this.current;
      if (!isCurrent() || previous === undefined) return Promise.resolve();
      const limit = deadline(clock, listTimeoutMs, () => new TimeoutError(`Provider "${id}" did not list in time`));
      return readCatalog(connection.client, limit.signal, which, previous)
        .then((catalog) => {
          if (!isCurrent()) return;
          this.current = catalog;
          this.emit();
        })
        .catch((error: unknown) =>
          logger.warn({ provider: id, err: messageOf(error) }, "cannot re-read a changed list"),
        )
        .finally(() => limit.clear());
    };
    const client = connection.client;
    client.setNotificationHandler(
      ToolListChangedNotificationSchema,
      reread({ tools: true, prompts: false, resources: false }),
    );
    client.setNotificationHandler(
      PromptListChangedNotificationSchema,
      reread({ tools: false, prompts: true, resources: false }),
    );
    client.setNotificationHandler(
      ResourceListChangedNotificationSchema,
      reread({ tools: false, prompts: false, resources: true }),
    );
    this.emit();
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
