import { bun } from "./host.ts";

/** The SHA-256 of `text`, as 64 hex digits. Bun hashes natively; elsewhere node:crypto, loaded on first use. */
export function sha256Hex(text: string): string {
  // Importing node:crypto costs Bun about 5 ms at start, so it is never loaded there.
  if (bun) return new bun.CryptoHasher("sha256").update(text).digest("hex");
  return process.getBuiltinModule("node:crypto").createHash("sha256").update(text).digest("hex");
}
