// Helpers of the benchmark scripts beside hangar's own statistics (src/bench/stats.ts): where hangar is,
// the p50/p90/p99 the scripts print, the in-process gateway's providers, and a process's CPU time.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { percentile, roundMs } from "../src/bench/stats.ts";
import { resolveProvider } from "../src/config/resolve.ts";
import type { ResolvedConfig, ResolvedProvider } from "../src/config/types.ts";
import { VERSION } from "../src/version.ts";

/** The repository root. */
export const ROOT = resolve(import.meta.dir, "..");

/** The argv that runs hangar: dist/hangar when built, else the sources with this Bun. */
export function hangarArgv(): string[] {
  const dist = join(ROOT, "dist/hangar");
  return existsSync(dist) ? [dist] : [process.execPath, join(ROOT, "src/main.ts")];
}

/** Milliseconds rounded to 0.001 ms. */
export const ms = roundMs;

/** p50, p90 and p99 of a sample, in ms. */
export interface Summary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** p50, p90 and p99 of `times` (any order). */
export function summary(times: readonly number[]): Summary {
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

/**
 * A resolved stdio provider `id` run by `argv` with `env`, as an in-process Gateway takes it: resolved as
 * a config file's entry is (every other setting its built-in default), never stopped for idleness, no
 * health checks, 64 calls at once; `overrides` replace any field.
 */
export function benchProvider(
  id: string,
  argv: readonly string[],
  overrides: Partial<ResolvedProvider> = {},
  env: Record<string, string> = {},
): ResolvedProvider {
  const entry = { id, command: [...argv], env, idle_ttl_s: 0, health_check_interval_s: 0, max_concurrency: 64 };
  return { ...resolveProvider(entry, {}, RESOLVE_CONTEXT), ...overrides };
}

/** How the benches' hand-made provider entries are resolved (no file: nothing relative to resolve). */
const RESOLVE_CONTEXT = { source: { kind: "demo" }, home: homedir(), baseDir: ROOT } as const;

/** A resolved config of `providers` for an in-process Gateway: 1,024 calls at once, no pinning. */
export const benchConfig = (providers: ResolvedProvider[]): ResolvedConfig => ({
  source: { kind: "demo" },
  maxConcurrency: 1024,
  pinning: "off",
  maxBatchSize: 500,
  providers,
});

/** CPU time (user + system) process `pid` has used so far, in ms (Linux: /proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** The child processes of `pid` (Linux: each task's `children` under /proc); none where /proc is not there. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * The `_meta` envelope hangar sends on every request to a provider in MCP 2026-07-28 (src/pool/raw-tool-call.ts,
 * `envelopeOf`, with a client that declares no capabilities): what the benches' forwarders send in that era.
 */
export const ENVELOPE_2026 = {
  "io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": { name: "hangar", version: VERSION },
  "io.modelcontextprotocol/clientCapabilities": {},
};
