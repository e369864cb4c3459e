import type { ResolvedConfig, ResolvedProvider } from "../../src/config/types.ts";
import { HANGAR } from "./paths.ts";

/** A stdio provider with the documented defaults, for tests that build configs by hand. */
export function stdioProvider(
  id: string,
  argv: readonly string[],
  overrides: Partial<ResolvedProvider> = {},
): ResolvedProvider {
  const [command, ...args] = argv;
  return {
    id,
    transport: { kind: "stdio", command: command!, args, env: {}, cwd: undefined },
    description: undefined,
    idleTtlMs: 300_000,
    healthCheckIntervalMs: 0,
    maxConsecutiveFailures: 3,
    circuitCooldownMs: 30_000,
    maxConcurrency: 8,
    maxQueue: 1000,
    startupTimeoutMs: 30_000,
    callTimeoutMs: 60_000,
    retries: 0,
    tools: { allow: [], deny: [] },
    expose: true,
    prefix: true,
    ...overrides,
  };
}

/** A provider running hangar's built-in demo server. */
export function demoProvider(id: string, overrides: Partial<ResolvedProvider> = {}): ResolvedProvider {
  return stdioProvider(id, [...HANGAR, "demo-provider", "--name", id], overrides);
}

/** A config holding `providers`, with the documented global limits unless overridden. */
export function configOf(providers: ResolvedProvider[], overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return { source: { kind: "demo" }, maxConcurrency: 64, maxBatchSize: 500, pinning: "off", providers, ...overrides };
}
