import type { Clock } from "../clock.ts";
import type { ProviderAnswer } from "./batch-schema.ts";

/** Options of a ResultStore; every field says its default. */
export interface ResultStoreOptions {
  /** How long a result is kept, in ms (default 10 minutes). */
  readonly ttlMs?: number;
  /** The most the kept results may hold together, as JSON bytes (default 64 MiB); the oldest go first. */
  readonly maxBytes?: number;
}

interface Kept {
  readonly answer: ProviderAnswer;
  readonly bytes: number;
  readonly expiresAt: number;
}

/**
 * The full answers of calls whose results a batch trimmed (`select`, `max_result_bytes`), for
 * `hangar_result {batch_id, index}`. Bounded in time and memory: an answer is dropped after `ttlMs`, and
 * the oldest are dropped first to make room; one larger than the whole store is not kept. Expiry is read
 * off the injected clock when the store is used, so it needs no timer.
 */
export class ResultStore {
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  /** In the order they were kept, which is also the order they expire in. */
  private readonly kept = new Map<string, Kept>();
  private bytes = 0;

  constructor(
    private readonly clock: Clock,
    options: ResultStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  }

  /** Keeps `answer` (of `bytes` as JSON) as call `index` of batch `batchId`; false when it is too large to keep. */
  put(batchId: string, index: number, answer: ProviderAnswer, bytes: number): boolean {
    this.expire();
    if (bytes > this.maxBytes) return false;
    const key = keyOf(batchId, index);
    this.drop(key);
    for (const [oldest] of this.kept) {
      if (this.bytes + bytes <= this.maxBytes) break;
      this.drop(oldest);
    }
    this.kept.set(key, { answer, bytes, expiresAt: this.clock.now() + this.ttlMs });
    this.bytes += bytes;
    return true;
  }

  /** The answer kept for call `index` of batch `batchId`, unless it expired or was dropped. */
  get(batchId: string, index: number): ProviderAnswer | undefined {
    this.expire();
    return this.kept.get(keyOf(batchId, index))?.answer;
  }

  /** The JSON bytes held now. */
  get size(): number {
    return this.bytes;
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [key, kept] of this.kept) {
      if (kept.expiresAt > now) break;
      this.drop(key);
    }
  }

  private drop(key: string): void {
    const kept = this.kept.get(key);
    if (!kept) return;
    this.kept.delete(key);
    this.bytes -= kept.bytes;
  }
}

function keyOf(batchId: string, index: number): string {
  return `${batchId}#${index}`;
}
