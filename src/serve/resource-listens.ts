import { messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import type { ResourceSink, ResourceSubscriptions } from "./resource-subscriptions.ts";

/** A `subscriptions/listen` request as far as Hangar reads it. */
interface ListenRequest {
  readonly method: "subscriptions/listen";
  readonly params?: { readonly notifications?: { readonly resourceSubscriptions?: unknown } };
}

/** Whether `message` is a `subscriptions/listen` request. */
export function isListenRequest(message: unknown): message is ListenRequest & { id: string | number } {
  const m = message as { method?: unknown; id?: unknown } | null;
  return typeof m === "object" && m !== null && m.method === "subscriptions/listen" && m.id !== undefined;
}

/** A client's listen, followed upstream: the request to serve, and how to stop following. */
export interface OpenListen<M> {
  /** The request with only the resources Hangar follows left in its filter. */
  readonly message: M;
  /** Stops following its resources (idempotent); the last follower of a resource unsubscribes upstream. */
  close(): void;
}

/**
 * The resources a 2026-07-28 client follows with `subscriptions/listen` (`resourceSubscriptions`, as
 * `hangar://<provider>/<uri>`): each one is followed upstream through the shared `ResourceSubscriptions`
 * (one upstream subscription per resource however many listen) from before the SDK acknowledges the
 * listen until its stream ends, and the provider's updates go to `sink` (the serving entry's
 * listen streams, which deliver them to exactly the listens naming that URI). A resource Hangar cannot
 * follow (unknown, or its provider refuses or is down) is taken out of the filter, so the client's
 * `notifications/subscriptions/acknowledged` names only what it will hear about.
 */
export class ResourceListens {
  constructor(
    private readonly subscriptions: ResourceSubscriptions,
    private readonly sink: ResourceSink,
    private readonly logger: Logger,
  ) {}

  /** Follows what `message` (a `subscriptions/listen`) names; `signal` aborts the upstream subscribing. */
  async open<M extends ListenRequest>(message: M, signal: AbortSignal): Promise<OpenListen<M>> {
    const named = message.params?.notifications?.resourceSubscriptions;
    if (!Array.isArray(named) || named.length === 0 || !named.every((uri) => typeof uri === "string"))
      return { message, close: () => {} };
    const uris = [...new Set(named as string[])];
    const follower = {};
    let closed = false;
    let followed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      if (followed) this.subscriptions.forget(follower);
    };
    const catalog = this.subscriptions.resources;
    if (uris.some((uri) => catalog.exposed.resolveUri(uri) === undefined)) await catalog.settled();
    const outcomes = await Promise.allSettled(
      uris.map((uri) => this.subscriptions.subscribe(follower, uri, signal, this.sink)),
    );
    followed = true;
    if (closed) this.subscriptions.forget(follower);
    const kept = uris.filter((uri, i) => {
      const outcome = outcomes[i]!;
      if (outcome.status === "rejected")
        this.logger.debug({ uri, err: messageOf(outcome.reason) }, "cannot follow a listened resource");
      return outcome.status === "fulfilled";
    });
    const { resourceSubscriptions: _named, ...rest } = message.params?.notifications ?? {};
    const notifications = kept.length > 0 ? { ...rest, resourceSubscriptions: kept } : rest;
    return { message: { ...message, params: { ...message.params, notifications } }, close };
  }
}
