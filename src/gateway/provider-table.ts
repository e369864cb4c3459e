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

/**
 * The providers a gateway serves, as one live table that a config reload changes in place: each id's
 * current instance (the map the router reads, in config order) and its permits. Calls routed to an
 * instance are counted until they settle, so an instance a reload removes or replaces finishes every
 * call it accepted (queued ones too) before it is stopped, while new calls already go to the new table.
 */
export class ProviderTable {
  /** The instance new calls of each id reach, in config order; shared with the router. */
  readonly handles = new Map<string, ProviderHandle>();
  private readonly permits = new Map<string, Semaphore>();
  private readonly holds = new Map<ProviderHandle, number>();
  /** Retired instances still finishing their calls, and what stops each once they have. */
  private readonly draining = new Map<ProviderHandle, () => void>();
  /** Retired instances not stopped yet (draining, or closing their connection). */
  private readonly retired = new Map<ProviderHandle, Promise<void>>();

  constructor(
    providers: readonly ResolvedProvider[],
    private readonly open: (provider: ResolvedProvider) => ProviderHandle,
  ) {
    for (const provider of providers) {
      this.handles.set(provider.id, open(provider));
      this.permits.set(provider.id, permitsOf(provider));
    }
  }

  /** The per-provider permits of `id` (kept while a removed provider drains). */
  permitsFor(id: string): Semaphore | undefined {
    return this.permits.get(id);
  }

  /** Counts a call routed to `handle` until the returned function says it settled (calling it twice is harmless). */
  hold(handle: ProviderHandle): () => void {
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
    for (const provider of diff.retuned) this.handles.get(provider.id)?.retune(provider);
    const next = providers.map((provider): [string, ProviderHandle] => [
      provider.id,
      fresh.has(provider.id) ? this.open(provider) : this.handles.get(provider.id)!,
    ]);
    this.handles.clear();
    for (const [id, handle] of next) this.handles.set(id, handle);
    for (const provider of providers) {
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
    await Promise.all([...this.handles.values()].map((handle) => handle.stop()));
    await this.drained();
  }

  private retire(handle: ProviderHandle): void {
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
