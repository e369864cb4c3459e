import type { RequestId } from "@modelcontextprotocol/server";

/** A client's request that runs something on a provider now. */
export interface RunningCall<S> {
  /** The session that sent it. */
  readonly session: S;
  /** The request's id in that session; what the provider asks travels on its stream. */
  readonly requestId: RequestId;
  /** Larger is more recent, over every provider and session. */
  readonly order: number;
}

/**
 * Which sessions' requests run on which provider right now. Over HTTP one provider connection serves
 * every session, so what a provider asks for (sampling, elicitation) and what it logs can belong only to
 * a request running on that provider: the most recent one when several are, none when none is.
 */
export class ProviderCalls<S> {
  private readonly running = new Map<string, Set<RunningCall<S>>>();
  private sequence = 0;

  /** Notes that `session`'s request `requestId` runs on `providerId` until the returned function is called. */
  enter(providerId: string, session: S, requestId: RequestId): () => void {
    const call: RunningCall<S> = { session, requestId, order: ++this.sequence };
    // A provider's set stays once made, empty or not (one per provider id named): with one call at a time,
    // dropping it made a set and two map writes per call.
    let calls = this.running.get(providerId);
    if (calls === undefined) {
      calls = new Set();
      this.running.set(providerId, calls);
    }
    calls.add(call);
    return () => void calls.delete(call);
  }

  /** The most recent request running on `providerId`, if any. */
  latest(providerId: string): RunningCall<S> | undefined {
    let found: RunningCall<S> | undefined;
    for (const call of this.running.get(providerId) ?? [])
      if (found === undefined || call.order > found.order) found = call;
    return found;
  }
}
