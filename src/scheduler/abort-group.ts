/**
 * Aborts many linked signals at once (every call running when the gateway shuts down) without each of them
 * listening on one long-lived signal: adding and removing an abort listener costs time in proportion to
 * the listeners a signal already has, so with many calls in flight every call would pay for all the others.
 * A member joins with a function to call on abort and leaves with the function `add` returns.
 */
export class AbortGroup {
  private readonly members = new Set<(reason: unknown) => void>();
  private ended: { readonly reason: unknown } | undefined;

  /** Whether `abort` was called. */
  get aborted(): boolean {
    return this.ended !== undefined;
  }

  /** The reason `abort` was called with (undefined before). */
  get reason(): unknown {
    return this.ended?.reason;
  }

  /** Calls `member` with the reason when the group aborts; the returned function takes it out again. */
  add(member: (reason: unknown) => void): () => void {
    this.members.add(member);
    return () => void this.members.delete(member);
  }

  /** Aborts every member, once; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.ended) return;
    this.ended = { reason };
    const members = [...this.members];
    this.members.clear();
    for (const member of members) member(reason);
  }
}
