/**
 * What a live reload changes: the running config against the new one, provider by provider. A policy
 * (`POLICY_KEYS`: limits, queue, timeouts, idle TTL, health checks, breaker, retries, tools allow/deny,
 * expose, prefix, description) applies to the running instance; any other difference (the transport:
 * command, args, env, cwd, image, network, volumes, url, headers, transport, env_inherit and the
 * variables it is not given, and any launch key added later) needs a new instance.
 */
import { sha256Hex } from "../runtime/index.ts";
import type { ResolvedConfig, ResolvedProvider } from "./types.ts";

/** The difference between the running config and a new one. */
export interface ConfigDiff {
  /** Providers only in the new config: available at once. */
  readonly added: readonly ResolvedProvider[];
  /** Ids only in the running config: they drain, then stop. */
  readonly removed: readonly string[];
  /** Providers whose launch settings changed: a new instance takes new calls while the old one drains. */
  readonly relaunched: readonly ResolvedProvider[];
  /** Providers whose policy alone changed: applied to the running instance. */
  readonly retuned: readonly ResolvedProvider[];
  /** Whether the top-level limits (max_concurrency, max_batch_size) changed. */
  readonly limits: boolean;
}

/**
 * The settings a running provider takes in place. Everything else about a provider is how it is launched
 * or reached, so a setting added later relaunches the provider when it changes, unless it is listed here.
 */
export const POLICY_KEYS = [
  ...["description", "idleTtlMs", "healthCheckIntervalMs", "maxConsecutiveFailures", "circuitCooldownMs"],
  ...["maxConcurrency", "maxQueue", "startupTimeoutMs", "callTimeoutMs", "retries", "tools", "expose", "prefix"],
] as const satisfies readonly (keyof ResolvedProvider)[];

/** Whether two providers are launched or reached the same way: they differ at most in `POLICY_KEYS`. */
export function sameLaunch(a: ResolvedProvider, b: ResolvedProvider): boolean {
  return JSON.stringify(launchOf(a)) === JSON.stringify(launchOf(b));
}

function launchOf(provider: ResolvedProvider): Record<string, unknown> {
  const launch: Record<string, unknown> = { ...provider };
  for (const key of POLICY_KEYS) delete launch[key];
  return launch;
}

/** What changes from `running` to `next`; providers in each list in `next`'s order. */
export function diffConfig(running: ResolvedConfig, next: ResolvedConfig): ConfigDiff {
  const before = new Map(running.providers.map((provider) => [provider.id, provider]));
  const after = new Set(next.providers.map((provider) => provider.id));
  const added: ResolvedProvider[] = [];
  const relaunched: ResolvedProvider[] = [];
  const retuned: ResolvedProvider[] = [];
  for (const provider of next.providers) {
    const old = before.get(provider.id);
    if (old === undefined) added.push(provider);
    else if (!sameLaunch(old, provider)) relaunched.push(provider);
    else if (JSON.stringify(old) !== JSON.stringify(provider)) retuned.push(provider);
  }
  return {
    added,
    removed: running.providers.map((provider) => provider.id).filter((id) => !after.has(id)),
    relaunched,
    retuned,
    limits: running.maxConcurrency !== next.maxConcurrency || running.maxBatchSize !== next.maxBatchSize,
  };
}

/** Whether a diff changes anything at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.added.length + diff.removed.length + diff.relaunched.length + diff.retuned.length === 0 && !diff.limits;
}

/** The ids a diff touches, by kind, for one log line (never a setting's value: they may be secrets). */
export function describeDiff(diff: ConfigDiff): Record<string, string[] | boolean> {
  const ids = (providers: readonly ResolvedProvider[]) => providers.map((provider) => provider.id);
  return {
    added: ids(diff.added),
    removed: [...diff.removed],
    relaunched: ids(diff.relaunched),
    retuned: ids(diff.retuned),
    limits: diff.limits,
  };
}

/**
 * A short hash (12 hex digits) of a resolved config: what `hangar_status` shows as applied. Comments and
 * formatting do not change it; any setting does. It is one-way, so secrets in the config stay hidden.
 */
export function configHash(config: ResolvedConfig): string {
  return sha256Hex(JSON.stringify(config)).slice(0, 12);
}
