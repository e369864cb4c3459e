import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { ClientCapabilities, Implementation } from "@modelcontextprotocol/server";

/** What a sealed 2025 session id carries: all a replica that never saw the session needs to serve it. */
export interface SealedSession {
  /** The protocol version negotiated at `initialize`. */
  readonly protocolVersion: string;
  /** The client's capabilities, as its `initialize` declared them. */
  readonly capabilities: ClientCapabilities;
  /** The client's name and version, as its `initialize` declared them. */
  readonly clientInfo: Implementation;
  /** When the session was opened, in ms since the epoch (wall clock: replicas compare it). */
  readonly createdAt: number;
}

/** Options of `SessionSeal`; every field says its default. */
export interface SessionSealOptions {
  /** The wall clock stamped into each id, in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** The format byte that starts every sealed id (and is authenticated with it). */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The least key material accepted, in bytes: as much as the AES-256 key it is stretched into. */
export const MIN_KEY_BYTES = 32;

/**
 * Seals and opens self-contained 2025 session ids (issue 13). An id is base64url of
 * `version byte · 12-byte random IV · AES-256-GCM(JSON of SealedSession) · 16-byte tag`, the version
 * byte authenticated as associated data, under a key derived with HKDF-SHA256 from the shared secret.
 * Every replica holding the same secret opens every other's ids; anything else (unknown format, another
 * key, one flipped bit) opens to `undefined`. Several secrets rotate keys: the first seals, all open.
 */
export class SessionSeal {
  private readonly keys: readonly Buffer[];
  private readonly now: () => number;
  /**
   * The newest key as given: what every replica shares, from which the other cross-replica keys (the
   * input relay's `requestState`, task ids) are derived, each under its own label.
   */
  readonly replicaSecret: string;

  /** `secrets`: the shared key material, newest first; each at least MIN_KEY_BYTES bytes. */
  constructor(secrets: readonly string[], options: SessionSealOptions = {}) {
    if (secrets.length === 0) throw new Error("SessionSeal needs at least one secret");
    this.replicaSecret = secrets[0]!;
    this.keys = secrets.map((secret) => {
      if (Buffer.byteLength(secret) < MIN_KEY_BYTES)
        throw new Error(`a session key must be at least ${MIN_KEY_BYTES} bytes`);
      return Buffer.from(hkdfSync("sha256", secret, "hangar", "hangar session id v1", 32));
    });
    this.now = options.now ?? Date.now;
  }

  /** A fresh id sealing the session (a new random IV each time, so two sessions never share an id). */
  seal(session: Omit<SealedSession, "createdAt">): string {
    const plain = Buffer.from(
      JSON.stringify({
        v: session.protocolVersion,
        c: session.capabilities,
        i: session.clientInfo,
        t: this.now(),
      }),
    );
    const iv = randomBytes(IV_BYTES);
    const head = Buffer.from([VERSION]);
    const cipher = createCipheriv("aes-256-gcm", this.keys[0] as Buffer, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(head);
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([head, iv, sealed, cipher.getAuthTag()]).toString("base64url");
  }

  /** The session an id seals, or `undefined` when it is not one this key sealed (forged, tampered, foreign). */
  open(id: string): SealedSession | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
    const bytes = Buffer.from(id, "base64url");
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 2 || bytes[0] !== VERSION) return undefined;
    const head = bytes.subarray(0, 1);
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const sealed = bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES);
    for (const key of this.keys) {
      const plain = decrypt(key, head, iv, sealed, tag);
      if (plain !== undefined) return parse(plain);
    }
    return undefined;
  }
}

function decrypt(key: Buffer, head: Buffer, iv: Buffer, sealed: Buffer, tag: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(head);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(sealed), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** The sealed fields, checked for shape (an authenticated id from an older build may differ). */
function parse(plain: Buffer): SealedSession | undefined {
  let value: unknown;
  try {
    value = JSON.parse(plain.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { v, c, i, t } = value as Record<string, unknown>;
  if (typeof v !== "string" || typeof t !== "number" || !isObject(c) || !isObject(i)) return undefined;
  return { protocolVersion: v, capabilities: c as ClientCapabilities, clientInfo: i as Implementation, createdAt: t };
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The secrets of a session key file: each non-empty line (without surrounding spaces) is one, newest
 * first. Throws with a sentence naming the file when there is none or one is too short.
 */
export function sessionSecretsOf(text: string, file: string): string[] {
  const secrets = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (secrets.length === 0) throw new Error(`The session key file ${file} is empty`);
  const short = secrets.findIndex((secret) => Buffer.byteLength(secret) < MIN_KEY_BYTES);
  if (short >= 0)
    throw new Error(
      `Key ${short + 1} (non-empty line) of the session key file ${file} is shorter than ${MIN_KEY_BYTES} bytes; make one with \`openssl rand -base64 48\``,
    );
  return secrets;
}
