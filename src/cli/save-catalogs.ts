import { messageOf } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { CatalogCache } from "../serve/catalog-cache.ts";
import { uniqueCatalog } from "../serve/unique-catalog.ts";

/**
 * Saves the catalog of every provider this process started (as `hangar serve` caches it, beside the era
 * verdict the start remembered), so a later `hangar serve` answers `tools/list` from the cache without
 * starting anything. A catalog the cache already holds is not rewritten. Never throws: a cache that
 * cannot be written is logged and costs the next serve a cold listing.
 */
export function saveCatalogs(gateway: Gateway, cache: CatalogCache, logger: Logger): void {
  for (const handle of gateway.handles.values()) {
    const listed = handle.catalog.listed;
    if (listed === undefined) continue;
    const { catalog } = uniqueCatalog(listed);
    if (JSON.stringify(cache.read(handle.config)) === JSON.stringify(catalog)) continue;
    try {
      cache.write(handle.config, catalog);
    } catch (error) {
      logger.warn({ provider: handle.config.id, err: messageOf(error) }, "cannot save the provider's catalog");
    }
  }
}
