import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Checks `Authorization: Bearer <token>` against the configured token in constant time: both sides
 * are hashed to equal-length SHA-256 digests first, so neither the content nor the length of the token
 * leaks through timing.
 */
export class BearerToken {
  private readonly digest: Buffer;

  constructor(token: string) {
    this.digest = sha256(token);
  }

  /** Whether the request's Authorization header carries the token. */
  accepts(authorization: string | null): boolean {
    const match = authorization === null ? null : /^Bearer\s+(.+)$/i.exec(authorization.trim());
    const offered = sha256(match?.[1] ?? "");
    return timingSafeEqual(offered, this.digest) && match !== null;
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
