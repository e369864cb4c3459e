import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Where a task id Hangar gave a client leads: the provider that owns the task, and the provider's own id. */
export interface TaskOwner {
  readonly provider: string;
  readonly upstream: string;
}

/**
 * Hangar's task ids: the owning provider and the provider's task id, sealed with an HMAC, so a client
 * reaches a task only through the provider that made it and cannot name one Hangar did not give out.
 * The owner travels in the id itself, so any Hangar process with the same key (over HTTP: the bearer
 * token) can serve `tasks/get` for a task another one created: no session affinity.
 */
export class TaskIds {
  private readonly key: Uint8Array;

  /** With a `secret`, every process that has it accepts the others' ids; without one, a key of its own. */
  constructor(secret?: string) {
    this.key =
      secret === undefined
        ? crypto.getRandomValues(new Uint8Array(32))
        : new Uint8Array(createHash("sha256").update(`hangar task id\0${secret}`).digest());
  }

  /** The id a client gets for provider `provider`'s task `upstream`. */
  mint(owner: TaskOwner): string {
    const body = `${encode(owner.provider)}.${encode(owner.upstream)}`;
    return `ht1.${body}.${this.mac(body)}`;
  }

  /** The owner of an id Hangar gave out; undefined for any other string (forged, altered, or foreign). */
  open(id: string): TaskOwner | undefined {
    const parts = id.split(".");
    if (parts.length !== 4 || parts[0] !== "ht1") return undefined;
    const [, provider, upstream, mac] = parts as [string, string, string, string];
    const expected = Buffer.from(this.mac(`${provider}.${upstream}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    return { provider: decode(provider), upstream: decode(upstream) };
  }

  private mac(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}

const encode = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const decode = (text: string) => Buffer.from(text, "base64url").toString("utf8");
