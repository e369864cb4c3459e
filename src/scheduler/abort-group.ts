/** A member of an AbortGroup: what to call on abort, linked to its neighbours. */
interface Member extends GroupMembership {
  readonly abort: (reason: unknown) => void;
  prev: Member | undefined;
  next: Member | undefined;
}

/** A place in an AbortGroup (`enter`): `leave()` takes it out, once; later calls do nothing. */
export interface GroupMembership {
  leave(): void;
}

/**
 * Aborts many linked signals at once (every call running when the gateway shuts down) without each of them
 * listening on one long-lived signal: adding and removing an abort listener costs time in proportion to
 * the listeners a signal already has, so with many calls in flight every call would pay for all the others.
 * A member joins with a function to call on abort and leaves with the function `add` returns; both take
 * constant time (a doubly linked list: no hashing, no scan).
 */
export class AbortGroup {
  private head: Member | undefined;
  private ended: { readonly reason: unknown } | undefined;
  private made: AbortSignal | undefined;

  /** Whether `abort` was called. */
  get aborted(): boolean {
    return this.ended !== undefined;
  }

  /** The reason `abort` was called with (undefined before). */
  get reason(): unknown {
    return this.ended?.reason;
  }

  /**
   * A signal that aborts with the group (made at the first read: a group nobody asks a signal of never
   * makes one). It aborts as `AbortController.abort` does: an undefined reason becomes an AbortError.
   */
  get signal(): AbortSignal {
    if (this.made === undefined) {
      const controller = new AbortController();
      if (this.ended) controller.abort(this.ended.reason);
      else this.add((reason) => controller.abort(reason));
      this.made = controller.signal;
    }
    return this.made;
  }

  /** Calls `abort` with the reason when the group aborts; the returned function takes it out again. */
  add(abort: (reason: unknown) => void): () => void {
    const membership = this.enter(abort);
    return () => membership.leave();
  }

  /** `add` as a membership object (no function made to leave: what a call's link keeps). */
  enter(abort: (reason: unknown) => void): GroupMembership {
    const member = new GroupMember(this, abort, this.head);
    if (this.head) this.head.prev = member;
    this.head = member;
    return member;
  }

  /** Takes `member` out of the list: what its `leave()` does, once. */
  unlink(member: Member): void {
    if (member.prev) member.prev.next = member.next;
    else if (this.head === member) this.head = member.next;
    if (member.next) member.next.prev = member.prev;
  }

  /** Aborts every member, once; later calls do nothing. */
  abort(reason: unknown): void {
    if (this.ended) return;
    this.ended = { reason };
    const members: Member[] = [];
    for (let member = this.head; member; member = member.next) members.push(member);
    this.head = undefined;
    for (const member of members) member.abort(reason);
  }
}

/** One member of a group's list. */
class GroupMember implements Member {
  prev: Member | undefined = undefined;
  private left = false;

  constructor(
    private readonly group: AbortGroup,
    readonly abort: (reason: unknown) => void,
    public next: Member | undefined,
  ) {}

  leave(): void {
    if (this.left) return;
    this.left = true;
    this.group.unlink(this);
  }
}
