// Small helpers shared by the benchmark scripts: percentiles, rounding, and a compiled-hangar locator.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root. */
export const ROOT = resolve(import.meta.dir, "..");

/** The argv that runs hangar: dist/hangar when built, else the sources with this Bun. */
export function hangarArgv(): string[] {
  const dist = join(ROOT, "dist/hangar");
  return existsSync(dist) ? [dist] : [process.execPath, join(ROOT, "src/main.ts")];
}

/** The p-th percentile (0..100) of ascending `sorted` values (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Milliseconds rounded to 3 decimals. */
export function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** p50, p90 and p99 of `times` (any order). */
export function summary(times: readonly number[]): { p50: number; p90: number; p99: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: ms(percentile(sorted, 50)), p90: ms(percentile(sorted, 90)), p99: ms(percentile(sorted, 99)) };
}
