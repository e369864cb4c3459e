import type { Server } from "@modelcontextprotocol/server";
import { messageOf } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { Catalog } from "./catalog.ts";
import { exposedUri } from "./names.ts";
import { asProtocolError, providerRequest } from "./provider-request.ts";
import { notFound } from "./server.ts";
import { followUpstream, type UpstreamFollow } from "./upstream-follow.ts";

/** Where a followed resource's `notifications/resources/updated` goes: a 2025 session's server, or 2026 listen streams. */
export interface ResourceSink {
  sendResourceUpdated(params: { uri: string }): Promise<void>;
}

/** One resource some clients follow: its owner, its URI there, who follows it, and the upstream subscription. */
interface Followed {
  readonly providerId: string;
  readonly uri: string;
  /** Each follower (a 2025 session's server, a 2026 listen stream) and where its updates go. */
  readonly followers: Map<object, ResourceSink>;
  /** Settles once the provider follows the resource (every follower that came meanwhile awaits it). */
  readonly upstream: Promise<UpstreamFollow>;
}

/**
 * Resource subscriptions for every client, over one upstream subscription per resource: the first
 * follower of a resource subscribes upstream (under the provider's own URI: `resources/subscribe` on a
 * 2025 provider, a `subscriptions/listen` stream naming it on a 2026 one), the last one to leave
 * unsubscribes, and the provider's `notifications/resources/updated` go, under the URI the clients
 * know, to exactly the followers of it (once per sink). Followers are 2025 sessions
 * (`resources/subscribe`, served here) and 2026 clients' `subscriptions/listen` streams
 * (resource-listens.ts). A provider that restarts forgets its subscriptions; 2025 clients subscribe
 * again when they read the resource anew, and a 2026 provider's listen that ends is forgotten here, so
 * the next listener subscribes afresh.
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

  /** The catalog this follows resources of (to resolve Hangar's URIs). */
  get resources(): Catalog {
    return this.catalog;
  }

  /**
   * `follower` follows `uri` (as listed by Hangar) from now on, its updates sent to `sink` (default: the
   * follower itself, a session's server). Rejects when no exposed provider owns `uri` or the provider
   * refuses; the follower then follows nothing.
   */
  async subscribe(
    follower: object,
    uri: string,
    signal: AbortSignal,
    sink: ResourceSink = follower as ResourceSink,
  ): Promise<void> {
    let entry = this.followed.get(uri);
    if (entry === undefined) {
      const target = this.catalog.exposed.resolveUri(uri);
      if (target === undefined) throw notFound(uri);
      const upstream = providerRequest(this.gateway, target.providerId, signal, (client, s) =>
        followUpstream(client, target.name, s),
      );
      const created: Followed = { providerId: target.providerId, uri: target.name, followers: new Map(), upstream };
      entry = created;
      this.followed.set(uri, created);
      upstream.then(
        (follow) =>
          void follow.ended.then(() => {
            // The provider's listen ended (it stopped or restarted): the next follower subscribes afresh.
            if (this.followed.get(uri) === created) this.followed.delete(uri);
          }),
        () => {
          if (this.followed.get(uri) === created) this.followed.delete(uri);
        },
      );
    }
    entry.followers.set(follower, sink);
    try {
      await entry.upstream;
    } catch (error) {
      entry.followers.delete(follower);
      throw error;
    }
  }

  /** `follower` no longer follows `uri`; the provider is told when nobody does. */
  async unsubscribe(follower: object, uri: string, signal: AbortSignal): Promise<void> {
    const entry = this.followed.get(uri);
    if (entry === undefined || !entry.followers.delete(follower) || entry.followers.size > 0) return;
    this.followed.delete(uri);
    await this.end(entry, signal);
  }

  /** A session ended: it follows nothing any more. */
  forget(follower: object): void {
    for (const [uri, entry] of this.followed) {
      if (!entry.followers.delete(follower) || entry.followers.size > 0) continue;
      this.followed.delete(uri);
      void this.end(entry, AbortSignal.timeout(5_000)).catch(() => {});
    }
  }

  /** Provider `providerId` says its resource `uri` changed: tell the followers of it, once per sink. */
  updated(providerId: string, uri: string): void {
    const prefix = this.gateway.handles.get(providerId)?.config.prefix ?? true;
    const shown = exposedUri(providerId, uri, prefix);
    for (const sink of new Set(this.followed.get(shown)?.followers.values() ?? [])) {
      sink
        .sendResourceUpdated({ uri: shown })
        .catch((error: unknown) => this.logger.debug({ err: messageOf(error) }, "cannot send resources/updated"));
    }
  }

  /**
   * Ends the upstream subscription of `entry` (once it was made), on the provider's running process only:
   * one that stopped (at shutdown, idle, a reload) or restarted has forgotten it, and starting it again
   * to say so would leave a process running after hangar closed its providers.
   */
  private async end(entry: Followed, signal: AbortSignal): Promise<void> {
    const follow = await entry.upstream.catch(() => undefined);
    if (follow === undefined) return;
    if (follow.listen) return follow.listen.close();
    try {
      await this.gateway.handles
        .get(entry.providerId)
        ?.ifRunning((client) => client.unsubscribeResource({ uri: entry.uri }, { signal }));
    } catch (error) {
      throw asProtocolError(error);
    }
  }
}
