import type { Server } from "@modelcontextprotocol/server";
import { messageOf } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { Catalog } from "./catalog.ts";
import { exposedUri } from "./names.ts";
import { providerRequest } from "./provider-request.ts";
import { notFound } from "./server.ts";

/** One resource some sessions follow: its owner, its URI there, and who follows it. */
interface Followed {
  readonly providerId: string;
  readonly uri: string;
  readonly servers: Set<Server>;
}

/**
 * `resources/subscribe` and `resources/unsubscribe` for every session, over one connection per
 * provider: the first session to follow a resource subscribes upstream (under the provider's own URI),
 * the last one to leave unsubscribes, and the provider's `notifications/resources/updated` go, under
 * the URI the clients know, to exactly the sessions that follow it. A provider that restarts forgets
 * its subscriptions; clients subscribe again when they read the resource anew.
 */
export class ResourceSubscriptions {
  private readonly followed = new Map<string, Followed>();

  constructor(
    private readonly gateway: Gateway,
    private readonly catalog: Catalog,
    private readonly logger: Logger,
  ) {}

  /** Serves `resources/subscribe` and `resources/unsubscribe` on `server` (one 2025-era session), and says so. */
  serveOn(server: Server): void {
    server.registerCapabilities({ resources: { subscribe: true } });
    server.setRequestHandler("resources/subscribe", async (request, ctx) => {
      await this.subscribe(server, request.params.uri, ctx.mcpReq.signal);
      return {};
    });
    server.setRequestHandler("resources/unsubscribe", async (request, ctx) => {
      await this.unsubscribe(server, request.params.uri, ctx.mcpReq.signal);
      return {};
    });
  }

  /** `server`'s client follows `uri` (as listed by Hangar) from now on. */
  async subscribe(server: Server, uri: string, signal: AbortSignal): Promise<void> {
    const existing = this.followed.get(uri);
    if (existing !== undefined) {
      existing.servers.add(server);
      return;
    }
    const target = this.catalog.exposed.resolveUri(uri);
    if (target === undefined) throw notFound(uri);
    await providerRequest(this.gateway, target.providerId, signal, (client, s) =>
      client.subscribeResource({ uri: target.name }, { signal: s }),
    );
    const again = this.followed.get(uri);
    if (again !== undefined) again.servers.add(server);
    else this.followed.set(uri, { providerId: target.providerId, uri: target.name, servers: new Set([server]) });
  }

  /** `server`'s client no longer follows `uri`; the provider is told when nobody does. */
  async unsubscribe(server: Server, uri: string, signal: AbortSignal): Promise<void> {
    const entry = this.followed.get(uri);
    if (entry === undefined || !entry.servers.delete(server) || entry.servers.size > 0) return;
    this.followed.delete(uri);
    await providerRequest(this.gateway, entry.providerId, signal, (client, s) =>
      client.unsubscribeResource({ uri: entry.uri }, { signal: s }),
    );
  }

  /** A session ended: it follows nothing any more. */
  forget(server: Server): void {
    for (const [uri, entry] of this.followed) {
      if (!entry.servers.delete(server) || entry.servers.size > 0) continue;
      this.followed.delete(uri);
      void providerRequest(this.gateway, entry.providerId, AbortSignal.timeout(5_000), (client, s) =>
        client.unsubscribeResource({ uri: entry.uri }, { signal: s }),
      ).catch(() => {});
    }
  }

  /** Provider `providerId` says its resource `uri` changed: tell the sessions that follow it. */
  updated(providerId: string, uri: string): void {
    const prefix = this.gateway.handles.get(providerId)?.config.prefix ?? true;
    const shown = exposedUri(providerId, uri, prefix);
    for (const server of this.followed.get(shown)?.servers ?? []) {
      server
        .sendResourceUpdated({ uri: shown })
        .catch((error: unknown) => this.logger.debug({ err: messageOf(error) }, "cannot send resources/updated"));
    }
  }
}
