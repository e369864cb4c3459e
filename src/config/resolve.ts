/**
 * Turns a validated config file into the one internal form, `ResolvedConfig`: `mcpServers` entries become
 * providers, each setting comes from the provider, else `defaults`, else the built-in default, seconds
 * become milliseconds, `~` is expanded, and the result is deeply frozen.
 */
import * as nodePath from "node:path";
import { type EnvRoutes, withheldFrom } from "./env-inherit.ts";
import { expandHome } from "./find.ts";
import type { ConfigFile, DefaultsEntry, McpServerEntry, ProviderEntry } from "./schema.ts";
import type { ConfigSource, EnvPolicy, ProviderTransport, ResolvedConfig, ResolvedProvider } from "./types.ts";

/** The built-in per-provider defaults (docs/contract.md, "Configuration"), in the file's units. */
export const BUILTIN_DEFAULTS = {
  idle_ttl_s: 300,
  health_check_interval_s: 60,
  max_consecutive_failures: 3,
  circuit_cooldown_s: 30,
  max_concurrency: 8,
  max_queue: 1000,
  startup_timeout_s: 30,
  call_timeout_s: 60,
  retries: 0,
  expose: true,
  prefix: true,
} as const;

/** Built-in default of the top-level `max_concurrency` (all providers together). */
export const DEFAULT_MAX_CONCURRENCY = 64;
/** Built-in default of `max_batch_size` (calls in one `hangar_call`). */
export const DEFAULT_MAX_BATCH_SIZE = 500;
/** Built-in default of `daemon_idle_s` (how long a shared daemon outlives its last client). */
export const DEFAULT_DAEMON_IDLE_S = 300;

/** What resolving needs besides the file. */
export interface ResolveContext {
  readonly source: ConfigSource;
  /** The home directory `~` stands for. */
  readonly home: string;
  /** Relative `cwd` values are taken relative to this (the config file's directory). */
  readonly baseDir: string;
  /** Which providers each `${VAR}` of the file is handed to (default none). */
  readonly envRoutes?: EnvRoutes;
}

/** The resolved, deeply frozen config of a validated file. */
export function resolveConfig(file: ConfigFile, context: ResolveContext): ResolvedConfig {
  const defaults = file.defaults ?? {};
  const entries = [
    ...(file.providers ?? []),
    ...Object.entries(file.mcpServers ?? {}).map(([name, entry]) => fromMcpServer(name, entry)),
  ];
  return deepFreeze({
    source: context.source,
    maxConcurrency: file.max_concurrency ?? DEFAULT_MAX_CONCURRENCY,
    maxBatchSize: file.max_batch_size ?? DEFAULT_MAX_BATCH_SIZE,
    pinning: file.pinning ?? "warn",
    shared: file.shared ?? false,
    daemonIdleMs: (file.daemon_idle_s ?? DEFAULT_DAEMON_IDLE_S) * 1000,
    providers: entries.map((entry) => resolveProvider(entry, defaults, context)),
  });
}

/** One provider with every setting filled in (provider, then `defaults`, then built-in). */
export function resolveProvider(
  entry: ProviderEntry,
  defaults: DefaultsEntry,
  context: ResolveContext,
): ResolvedProvider {
  const setting = <K extends keyof typeof BUILTIN_DEFAULTS>(key: K): (typeof BUILTIN_DEFAULTS)[K] | number | boolean =>
    entry[key] ?? defaults[key] ?? BUILTIN_DEFAULTS[key];
  const ms = (
    key: "idle_ttl_s" | "health_check_interval_s" | "circuit_cooldown_s" | "startup_timeout_s" | "call_timeout_s",
  ) => Math.round(Number(setting(key)) * 1000);
  return {
    id: entry.id,
    transport: transportOf(entry, context),
    description: entry.description,
    idleTtlMs: ms("idle_ttl_s"),
    healthCheckIntervalMs: ms("health_check_interval_s"),
    maxConsecutiveFailures: Number(setting("max_consecutive_failures")),
    circuitCooldownMs: ms("circuit_cooldown_s"),
    maxConcurrency: Number(setting("max_concurrency")),
    maxQueue: Number(setting("max_queue")),
    startupTimeoutMs: ms("startup_timeout_s"),
    callTimeoutMs: ms("call_timeout_s"),
    retries: Number(setting("retries")),
    tools: {
      allow: entry.tools?.allow ?? defaults.tools?.allow ?? [],
      deny: entry.tools?.deny ?? defaults.tools?.deny ?? [],
    },
    expose: Boolean(setting("expose")),
    prefix: Boolean(setting("prefix")),
    ...((entry.per_client ?? defaults.per_client) ? { perClient: true } : {}),
  };
}

/** Freezes `value` and everything reachable from it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

export { expandHome } from "./find.ts";

function transportOf(entry: ProviderEntry, context: ResolveContext): ProviderTransport {
  if (entry.url !== undefined) {
    return {
      kind: "http",
      url: entry.url,
      headers: { ...entry.headers },
      protocol: entry.transport ?? "auto",
      ...(entry.auth === undefined ? {} : { auth: entry.auth }),
    };
  }
  if (entry.image !== undefined) {
    return {
      ...envPolicy(entry, context),
      kind: "docker",
      image: entry.image,
      network: entry.network,
      env: { ...entry.env },
      volumes: (entry.volumes ?? []).map((volume) => expandHome(volume, context.home)),
      args: [...(entry.args ?? [])],
    };
  }
  const [command = "", ...rest] =
    typeof entry.command === "string" ? [entry.command, ...(entry.args ?? [])] : (entry.command ?? []);
  const cwd =
    entry.cwd === undefined ? undefined : nodePath.resolve(context.baseDir, expandHome(entry.cwd, context.home));
  return { ...envPolicy(entry, context), kind: "stdio", command, args: rest, env: { ...entry.env }, cwd };
}

/** `env_inherit` and the variables handed to other providers, each only when set (so the defaults change no cache key). */
function envPolicy(entry: ProviderEntry, context: ResolveContext): EnvPolicy {
  const withheld = withheldFrom(entry.id, context.envRoutes ?? new Map());
  return {
    ...(entry.env_inherit === undefined ? {} : { envInherit: entry.env_inherit }),
    ...(withheld.length === 0 ? {} : { envWithheld: withheld }),
  };
}

function fromMcpServer(name: string, entry: McpServerEntry): ProviderEntry {
  if (entry.url !== undefined) {
    const transport = entry.type === "sse" ? "sse" : entry.type === undefined ? "auto" : "streamable-http";
    return { id: name, url: entry.url, headers: entry.headers ?? {}, transport };
  }
  const result: ProviderEntry = {
    id: name,
    command: entry.command ?? "",
    args: entry.args ?? [],
    env: entry.env ?? {},
  };
  if (entry.cwd !== undefined) result.cwd = entry.cwd;
  return result;
}
