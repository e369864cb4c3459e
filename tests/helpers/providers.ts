import { homedir } from "node:os";
import { resolveProvider } from "../../src/config/resolve.ts";
import type { ResolvedConfig, ResolvedProvider } from "../../src/config/types.ts";
import { HANGAR } from "./paths.ts";

/**
 * A stdio provider resolved as a config file's entry is, every setting its documented default but for no
 * health checks, for tests that build configs by hand; `overrides` replace any field.
 */
export function stdioProvider(
  id: string,
  argv: readonly string[],
  overrides: Partial<ResolvedProvider> = {},
): ResolvedProvider {
  const entry = { id, command: [...argv], health_check_interval_s: 0 };
  return { ...resolveProvider(entry, {}, RESOLVE_CONTEXT), ...overrides };
}

/** How hand-made provider entries are resolved (no file: nothing relative to resolve). */
const RESOLVE_CONTEXT = { source: { kind: "demo" }, home: homedir(), baseDir: process.cwd() } as const;

/** A provider running hangar's built-in demo server. */
export function demoProvider(id: string, overrides: Partial<ResolvedProvider> = {}): ResolvedProvider {
  return stdioProvider(id, [...HANGAR, "demo-provider", "--name", id], overrides);
}

/** A config holding `providers`, with the documented global limits unless overridden. */
export function configOf(providers: ResolvedProvider[], overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { source: { kind: "demo" }, maxConcurrency: 64, maxBatchSize: 500, pinning: "off", providers, ...overrides };
}
