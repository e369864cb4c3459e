// Helpers of the benchmark scripts beside hangar's own statistics (src/bench/stats.ts): where hangar is,
// and the p50/p90/p99 the scripts print.
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { percentile, roundMs } from "../src/bench/stats.ts";

/** The repository root. */
export const ROOT = resolve(import.meta.dir, "..");

/** The argv that runs hangar: dist/hangar when built, else the sources with this Bun. */
export function hangarArgv(): string[] {
  const dist = join(ROOT, "dist/hangar");
  return existsSync(dist) ? [dist] : [process.execPath, join(ROOT, "src/main.ts")];
}

/** Milliseconds rounded to 0.001 ms. */
export const ms = roundMs;

/** p50, p90 and p99 of `times` (any order). */
export function summary(times: readonly number[]): { p50: number; p90: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: ms(percentile(sorted, 50)), p90: ms(percentile(sorted, 90)), p99: ms(percentile(sorted, 99)) };
}

/**
 * Writes `dir`/hangar-`count`.yaml: `count` demo providers p0…, each run by `hangar` (`demo-provider`), never
 * stopped for idleness, 64 calls at once; returns its path.
 */
export function writeDemoConfig(dir: string, hangar: readonly string[], count: number): string {
  const file = join(dir, `hangar-${count}.yaml`);
  const entries = Array.from(
    { length: count },
    (_, i) =>
      `  - ${JSON.stringify({ id: `p${i}`, command: [...hangar, "demo-provider", "--name", `p${i}`], idle_ttl_s: 0, max_concurrency: 64 })}\n`,
  );
  writeFileSync(file, `providers:\n${entries.join("")}`);
  return file;
}
