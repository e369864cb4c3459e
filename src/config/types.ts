/**
 * The resolved, immutable config that everything else reads. Every config source (the YAML `providers`
 * list, an `mcpServers` map, the built-in demo) is turned into this one form first.
 */
import type { EnvInherit } from "./env-inherit.ts";

/** What a process provider inherits of hangar's environment (see env-inherit.ts); both default to nothing set. */
export interface EnvPolicy {
  /** `env_inherit` (default "all"). */
  readonly envInherit?: EnvInherit;
  /** Variables the config hands to other providers, never inherited (default none). */
  readonly envWithheld?: readonly string[];
}

/** How a provider is launched or reached. */
export type ProviderTransport =
  | (EnvPolicy & {
      readonly kind: "stdio";
      /** Program to run (looked up on PATH when it has no slash). */
      readonly command: string;
      readonly args: readonly string[];
      /** Extra environment, added to what it inherits of hangar's own (see `EnvPolicy`). */
      readonly env: Readonly<Record<string, string>>;
      /** Working directory, `~` expanded; undefined = hangar's own. */
      readonly cwd: string | undefined;
    })
  | (EnvPolicy & {
      readonly kind: "docker";
      readonly image: string;
      /** `--network` value; undefined = docker's default. */
      readonly network: string | undefined;
      /** Passed with `-e NAME` so values never appear on a command line. */
      readonly env: Readonly<Record<string, string>>;
      /** `-v` values, `host:container[:ro]`. */
      readonly volumes: readonly string[];
      /** Arguments after the image. */
      readonly args: readonly string[];
    })
  | {
      readonly kind: "http";
      readonly url: string;
      /** Headers sent with every request (secrets live here; never print them). */
      readonly headers: Readonly<Record<string, string>>;
      /** "auto" tries Streamable HTTP, then SSE; "sse" goes straight to SSE. */
      readonly protocol: "auto" | "streamable-http" | "sse";
      /** `oauth`: calls need a `hangar auth login` sign-in; absent: a stored sign-in is used when there is one. */
      readonly auth?: "oauth";
    };

/** Tool name filters: glob patterns (`*` and `?`), deny wins over allow; empty allow = everything. */
export interface ToolFilter {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** One provider, with every default filled in and every duration in milliseconds. */
export interface ResolvedProvider {
  readonly id: string;
  readonly transport: ProviderTransport;
  readonly description: string | undefined;
  /** Stop after this long with nothing in flight; 0 = never (idle_ttl_s, default 300 s). */
  readonly idleTtlMs: number;
  /** Ping a ready provider this often; 0 = off (health_check_interval_s, default 60 s). */
  readonly healthCheckIntervalMs: number;
  /** Consecutive failures that open the circuit (max_consecutive_failures, default 3). */
  readonly maxConsecutiveFailures: number;
  /** How long an open circuit stays open before one probe (circuit_cooldown_s, default 30 s). */
  readonly circuitCooldownMs: number;
  /** Calls in flight at once to this provider; 1 = a serial server (max_concurrency, default 8). */
  readonly maxConcurrency: number;
  /** Calls allowed to wait for a permit of this provider; past it calls fail with `overloaded` (max_queue, default 1000). */
  readonly maxQueue: number;
  /** How long a start (spawn + initialize + tools/list) may take (startup_timeout_s, default 30 s). */
  readonly startupTimeoutMs: number;
  /** Default deadline of one call (call_timeout_s, default 60 s). */
  readonly callTimeoutMs: number;
  /** Extra attempts for read-only or idempotent tools after a transport error or timeout (default 0). */
  readonly retries: number;
  readonly tools: ToolFilter;
  /** List this provider's tools directly as `<id>__<tool>` in `hangar serve` (default true). */
  readonly expose: boolean;
  /** Prefix exposed names with `<id>__` (default true). */
  readonly prefix: boolean;
  /**
   * One instance per client for a shared daemon (`per_client`; absent = false): the provider keeps
   * per-client state or needs the client's roots, so clients never share it.
   */
  readonly perClient?: boolean;
}

/** Where the config came from. */
export type ConfigSource = { readonly kind: "file"; readonly path: string } | { readonly kind: "demo" };

/**
 * What a changed or newly added tool definition does (docs/pinning.md): `warn` serves it and reports the
 * diff, `block` withholds it until `hangar pin` approves it, `off` records nothing.
 */
export type PinningMode = "warn" | "block" | "off";

/** The whole resolved config, deeply frozen. */
export interface ResolvedConfig {
  readonly source: ConfigSource;
  /** Calls in flight at once over all providers (max_concurrency, default 64). */
  readonly maxConcurrency: number;
  /** Calls allowed in one batch (max_batch_size, default 500). */
  readonly maxBatchSize: number;
  /** Tool pinning (pinning, default "warn"; "off" for the built-in demo providers). */
  readonly pinning: PinningMode;
  /** `hangar serve` bridges to the per-user shared daemon unless `--no-shared` (shared; absent = false). */
  readonly shared?: boolean;
  /** How long a shared daemon outlives its last client, in ms (daemon_idle_s; absent = 300 s). */
  readonly daemonIdleMs?: number;
  readonly providers: readonly ResolvedProvider[];
}
