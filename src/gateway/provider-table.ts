import type { ConfigDiff } from "../config/config-diff.ts";
import type { ResolvedProvider } from "../config/types.ts";
import type { ProviderHandle } from "../pool/index.ts";
import { Semaphore } from "../scheduler/index.ts";

/** A provider instance a reload took out of the table: it finishes the calls routed to it, then stops. */
export interface Retiring {
  readonly handle: ProviderHandle;
  /** Calls routed to it before the reload that have not settled yet. */
  readonly calls: number;
}

/** Lends a gateway's provider instances to another gateway (a shared daemon's client with per-client providers). */
export interface ProviderLender {
  /** Provider `id`'s current instance and its permits, or undefined if there is no such provider. */
  lend(id: string): { handle: ProviderHandle; permits: Semaphore } | undefined;
  /** Counts a call routed to a lent instance, so the owner's reload drains it before stopping it. */
  hold(handle: ProviderHandle): () => void;
}

/**
 * The providers a gateway serves, as one live table that a config reload changes in place: each id's
 * current instance (the map the router reads, in config order) and its permits. Calls routed to an
 * instance are counted until they settle, so an instance a reload removes or replaces finishes every
 * call it accepted (queued ones too) before it is stopped, while new calls already go to the new table.
 * A table built with a lender takes every provider not marked `perClient` from it: such an instance and
 * its permits belong to the lender, which counts its calls and stops it; this table never stops it.
 */
export class ProviderTable implements ProviderLender {
  /** The instance new calls of each id reach, in config order; shared with the router. */
  readonly handles = new Map<string, ProviderHandle>();
  private readonly permits = new Map<string, Semaphore>();
  private readonly holds = new Map<ProviderHandle, number>();
  /** Retired instances still finishing their calls, and what stops each once they have. */
  private readonly draining = new Map<ProviderHandle, () => void>();
  /** Retired instances not stopped yet (draining, or closing their connection). */
  private readonly retired = new Map<ProviderHandle, Promise<void>>();
  /** Instances taken from the lender: used here, owned there. */
  private readonly borrowed = new Set<ProviderHandle>();
  /** Ids whose permits are the lender's. */
  private readonly borrowedPermits = new Set<string>();

  constructor(
    providers: readonly ResolvedProvider[],
    private readonly open: (provider: ResolvedProvider) => ProviderHandle,
    private readonly lender?: ProviderLender,
  ) {
    for (const provider of providers) this.handles.set(provider.id, this.instance(provider));
  }

  /** Provider `id`'s current instance and permits, for a table that borrows from this one. */
  lend(id: string): { handle: ProviderHandle; permits: Semaphore } | undefined {
    const handle = this.handles.get(id);
    const permits = this.permits.get(id);
    return handle === undefined || permits === undefined ? undefined : { handle, permits };
  }

  /** The per-provider permits of `id` (kept while a removed provider drains). */
  permitsFor(id: string): Semaphore | undefined {
    return this.permits.get(id);
  }

  /** Counts a call routed to `handle` until the returned function says it settled (calling it twice is harmless). */
  hold(handle: ProviderHandle): () => void {
    if (this.borrowed.has(handle) && this.lender) return this.lender.hold(handle);
    this.holds.set(handle, (this.holds.get(handle) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.holds.get(handle) ?? 1) - 1;
      if (left > 0) this.holds.set(handle, left);
      else {
        this.holds.delete(handle);
        this.draining.get(handle)?.();
      }
    };
  }

  /**
   * Applies a reload: `providers` is the new config's list and `diff` what changed. Added and relaunched
   * providers get a new instance at once, retuned ones take their new policy in place, and the instances
   * of removed and relaunched ones retire (see `retiring`).
   */
  apply(providers: readonly ResolvedProvider[], diff: ConfigDiff): void {
    const fresh = new Set([...diff.added, ...diff.relaunched].map((provider) => provider.id));
    const retire = [...diff.removed, ...diff.relaunched.map((provider) => provider.id)].flatMap(
      (id) => this.handles.get(id) ?? [],
    );
    for (const provider of diff.retuned) {
      const handle = this.handles.get(provider.id);
      if (handle && !this.borrowed.has(handle)) handle.retune(provider);
    }
    const next = providers.map((provider): [string, ProviderHandle] => [
      provider.id,
      fresh.has(provider.id) ? this.instance(provider) : this.handles.get(provider.id)!,
    ]);
    this.handles.clear();
    for (const [id, handle] of next) this.handles.set(id, handle);
    for (const provider of providers) {
      if (this.borrowedPermits.has(provider.id)) continue; // the lender resizes its own
      const permits = this.permits.get(provider.id);
      if (permits) permits.resize(provider.maxConcurrency, provider.maxQueue);
      else this.permits.set(provider.id, permitsOf(provider));
    }
    for (const handle of retire) this.retire(handle);
  }

  /** Retired instances not stopped yet, with the calls each still has to finish. */
  retiring(): Retiring[] {
    return [...this.retired.keys()].map((handle) => ({ handle, calls: this.holds.get(handle) ?? 0 }));
  }

  /** Resolves once every retired instance has stopped. */
  async drained(): Promise<void> {
    while (this.retired.size > 0) await Promise.all(this.retired.values());
  }

  /** Stops every instance, current and retired, without waiting for a drain (the gateway cancels calls first). */
  async stopAll(): Promise<void> {
    for (const stop of [...this.draining.values()]) stop();
    const owned = [...this.handles.values()].filter((handle) => !this.borrowed.has(handle));
    await Promise.all(owned.map((handle) => handle.stop()));
    await this.drained();
  }

  /** A new instance of `provider`: the lender's unless it is per-client, else one of our own with its permits. */
  private instance(provider: ResolvedProvider): ProviderHandle {
    const lent = provider.perClient ? undefined : this.lender?.lend(provider.id);
    if (lent) {
      this.borrowed.add(lent.handle);
      this.permits.set(provider.id, lent.permits);
      this.borrowedPermits.add(provider.id);
      return lent.handle;
    }
    if (!this.permits.has(provider.id) || this.borrowedPermits.delete(provider.id))
      this.permits.set(provider.id, permitsOf(provider));
    return this.open(provider);
  }

  private retire(handle: ProviderHandle): void {
    if (this.borrowed.delete(handle)) {
      // The lender retires (and drains) its own instance; here only its permits are forgotten.
      const id = handle.config.id;
      if (!this.handles.has(id) && this.borrowedPermits.delete(id)) this.permits.delete(id);
      return;
    }
    const { promise, resolve } = Promise.withResolvers<void>();
    this.retired.set(handle, promise);
    const stop = () => {
      this.draining.delete(handle);
      void handle.stop().finally(() => {
        this.retired.delete(handle);
        const id = handle.config.id;
        const stillUsed = this.handles.has(id) || [...this.retired.keys()].some((h) => h.config.id === id);
        if (!stillUsed) this.permits.delete(id);
        resolve();
      });
    };
    if (this.holds.has(handle)) this.draining.set(handle, stop);
    else stop();
  }
}

function permitsOf(provider: ResolvedProvider): Semaphore {
  return new Semaphore(provider.maxConcurrency, provider.maxQueue, `provider "${provider.id}"`);
}
