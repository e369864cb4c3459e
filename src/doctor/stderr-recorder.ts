/**
 * A spawner that keeps the last lines each provider wrote to stderr, even after it exited, so doctor can
 * show why a provider failed to start.
 */
import { type Spawner, stderrExcerpt, systemSpawner } from "../providers/index.ts";

/** How much stderr is kept per provider. */
const KEEP_BYTES = 4096;

/** A spawner plus the stderr tail of the last process it started for each provider. */
export interface StderrRecorder {
  readonly spawner: Spawner;
  /** The last meaningful lines (no stack frames) `providerId`'s process wrote to stderr ("" if none). */
  tail(providerId: string, lines?: number): string;
}

/** Wraps `inner` (default: real processes) to record stderr. */
export function stderrRecorder(inner: Spawner = systemSpawner): StderrRecorder {
  const kept = new Map<string, string>();
  const spawner: Spawner = (request) => {
    const child = inner(request);
    kept.set(request.providerId, "");
    child.stderr.on("data", (chunk: Buffer | string) => {
      const text = (kept.get(request.providerId) ?? "") + chunk.toString();
      kept.set(request.providerId, text.length > KEEP_BYTES ? text.slice(-KEEP_BYTES) : text);
    });
    return child;
  };
  return {
    spawner,
    tail(providerId, lines = 6) {
      return stderrExcerpt(kept.get(providerId) ?? "", lines).join("\n");
    },
  };
}
