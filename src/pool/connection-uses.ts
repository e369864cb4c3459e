/** A connection's calls running now, and who waits for there to be none. */
interface Uses {
  count: number;
  idle: ReturnType<typeof Promise.withResolvers<void>> | undefined;
}

/**
 * Counts the calls running on each connection, so a stop can wait for them before it closes one. A
 * connection's count lives as long as the connection (a weak map: a closed one is forgotten with it), so
 * a call only adds and subtracts: no object or closure of its own.
 */
export class ConnectionUses<C extends object> {
  private readonly uses = new WeakMap<C, Uses>();

  /** Marks one call as running on `connection`; `end(connection)` marks it done, once. */
  begin(connection: C): void {
    let uses = this.uses.get(connection);
    if (uses === undefined) {
      uses = { count: 0, idle: undefined };
      this.uses.set(connection, uses);
    }
    uses.count++;
  }

  /** Marks one call begun on `connection` as done; the last one lets `idle` waiters go. */
  end(connection: C): void {
    const uses = this.uses.get(connection);
    if (uses === undefined || uses.count === 0) return;
    uses.count--;
    if (uses.count > 0 || uses.idle === undefined) return;
    const { resolve } = uses.idle;
    uses.idle = undefined;
    resolve();
  }

  /** Calls running on `connection` now. */
  count(connection: C): number {
    return this.uses.get(connection)?.count ?? 0;
  }

  /** Resolves once no call runs on `connection` (at once when none does). */
  idle(connection: C): Promise<void> {
    const uses = this.uses.get(connection);
    if (uses === undefined || uses.count === 0) return Promise.resolve();
    uses.idle ??= Promise.withResolvers<void>();
    return uses.idle.promise;
  }
}
