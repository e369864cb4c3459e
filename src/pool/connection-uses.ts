/** Counts the calls running on each connection, so a stop can wait for them before it closes one. */
export class ConnectionUses<C extends object> {
  private readonly uses = new Map<
    C,
    { count: number; idle: ReturnType<typeof Promise.withResolvers<void>> | undefined }
  >();

  /** Marks one call as running on `connection`; returns the function that marks it done (once). */
  begin(connection: C): () => void {
    const entry = this.uses.get(connection) ?? { count: 0, idle: undefined };
    entry.count++;
    this.uses.set(connection, entry);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      entry.count--;
      if (entry.count > 0) return;
      this.uses.delete(connection);
      entry.idle?.resolve();
    };
  }

  /** Calls running on `connection` now. */
  count(connection: C): number {
    return this.uses.get(connection)?.count ?? 0;
  }

  /** Resolves once no call runs on `connection` (at once when none does). */
  idle(connection: C): Promise<void> {
    const entry = this.uses.get(connection);
    if (entry === undefined) return Promise.resolve();
    entry.idle ??= Promise.withResolvers<void>();
    return entry.idle.promise;
  }
}
