import { messageOf } from "../errors.ts";
import { Gateway } from "../gateway/index.ts";
import { Hangar } from "../lib/hangar.ts";
import type { Logger } from "../observability/log.ts";
import type { CatalogCache } from "./catalog-cache.ts";
import type { FrontDeps } from "./front-deps.ts";
import { ResourceSubscriptions } from "./resource-subscriptions.ts";
import { ServerBridge } from "./server-bridge.ts";

/** One client's own instances of the `per_client` providers, and the front that serves them with the shared ones. */
export interface OwnProviders {
  /** The client's Hangar over its own gateway (its own per-client providers, the daemon's others) and catalog. */
  readonly front: FrontDeps;
  readonly subscriptions: ResourceSubscriptions;
  /** Forwards the own providers' requests and logs to the client's instance (`use` it once built). */
  readonly bridge: ServerBridge;
  /** Lists the providers in the background, once the client has initialized. */
  warmUp(): void;
  /** A provider's resource changed (told by the daemon for the shared providers). */
  resourceUpdated(providerId: string, uri: string): void;
  /** The client's own providers, for `hangar status`. */
  providers(): { id: string; state: string; pid?: number }[];
  /** Stops the client's own providers (the shared ones keep running). */
  close(): Promise<void>;
}

/**
 * How a shared daemon (or `serve --http`) gives each client (session) its own instance of every
 * provider marked `per_client`: the function returns undefined while the config applied now has none
 * (the client is then served by `base` alone). The client's gateway borrows every other provider from
 * `base`, follows its reloads, and its own providers talk to this client alone, as under plain
 * `hangar serve`: they are offered sampling, elicitation and roots exactly when this client declared
 * them, and their requests and logs go to it.
 */
export function perClientProviders(
  base: Gateway,
  options: { readonly logger: Logger; readonly cache: CatalogCache; readonly startedAt: number },
): () => OwnProviders | undefined {
  const { logger, cache, startedAt } = options;
  return () => {
    if (!base.config.providers.some((provider) => provider.perClient)) return undefined;
    const bridge = new ServerBridge(logger);
    const gateway = new Gateway(base.config, {
      logger,
      clock: base.clock,
      bridge,
      borrowFrom: base,
      ...(base.pins ? { pins: base.pins } : {}),
    });
    // The daemon's gateway reloads first (its new instances are then what this one borrows).
    const stopReloading = base.onReload(() =>
      gateway.reload(base.config, base.configRecord.status().last_reload?.trigger),
    );
    const hangar = Hangar.over(gateway, logger, { cache, startedAt });
    const { catalog } = hangar;
    const subscriptions = new ResourceSubscriptions(gateway, catalog, logger);
    bridge.onResourceUpdated = (providerId, uri) => subscriptions.updated(providerId, uri);
    const warm = new AbortController();
    return {
      front: { hangar, logger },
      subscriptions,
      bridge,
      warmUp: () =>
        void catalog
          .warmUp(warm.signal)
          .catch((error: unknown) => logger.warn({ err: messageOf(error) }, "warm-up failed")),
      resourceUpdated: (providerId, uri) => subscriptions.updated(providerId, uri),
      providers: () =>
        [...gateway.handles.values()]
          .filter((handle) => handle.config.perClient)
          .map((handle) => ({
            id: handle.config.id,
            state: handle.state,
            ...(handle.pid === undefined ? {} : { pid: handle.pid }),
          })),
      close: async () => {
        stopReloading();
        warm.abort();
        await hangar.close();
      },
    };
  };
}
