import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import type { ProviderClient } from "./provider-request.ts";

/** How long a 2026 provider may take to acknowledge a `subscriptions/listen`, in ms. */
const LISTEN_ACK_MS = 10_000;

/** A provider following one of its resources for Hangar. */
export interface UpstreamFollow {
  /** The provider's listen stream (a 2026-07-28 provider); absent for a 2025 `resources/subscribe`. */
  readonly listen?: { close(): Promise<void> };
  /** Resolves when the provider stops following by itself (its listen stream ended); never for a 2025 one. */
  readonly ended: Promise<void>;
}

/**
 * Asks the provider behind `client` to tell of changes to its resource `uri`: `resources/subscribe` on a
 * 2025 connection; on a 2026-07-28 one (which has no `resources/subscribe`) a `subscriptions/listen` of
 * its own naming only that URI, held open until closed, whose `notifications/resources/updated` reach the
 * client's usual notification handler. A provider that does not honor the URI is refused like a 2025
 * provider that cannot subscribe.
 */
export async function followUpstream(
  client: ProviderClient,
  uri: string,
  signal: AbortSignal,
): Promise<UpstreamFollow> {
  if (client.getProtocolEra() !== "modern") {
    await client.subscribeResource({ uri }, { signal });
    return { ended: new Promise<void>(() => {}) };
  }
  const listen = await client.listen({ resourceSubscriptions: [uri] }, { timeout: LISTEN_ACK_MS });
  if (!listen.honoredFilter.resourceSubscriptions?.includes(uri)) {
    await listen.close();
    throw new ProtocolError(ProtocolErrorCode.InvalidRequest, `The provider does not offer updates of "${uri}"`);
  }
  if (signal.aborted) {
    await listen.close();
    throw signal.reason;
  }
  return { listen, ended: listen.closed.then(() => {}) };
}
