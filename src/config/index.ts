/**
 * The config folder's public face: find, read, check and resolve hangar's config into one frozen
 * `ResolvedConfig` (or the built-in demo config when there is no file).
 */
export { DEMO_PROVIDER_IDS, demoConfig } from "./demo.ts";
export { type EnvInherit, HANGAR_SECRETS, isSystemVariable } from "./env-inherit.ts";
export type { Env } from "./interpolate.ts";
export type { FoundConfigFile, LoadConfigOptions } from "./load.ts";
export { describeSource, findConfigFile, loadConfig } from "./load.ts";
export { parseConfigText } from "./parse.ts";
export { BUILTIN_DEFAULTS, DEFAULT_DAEMON_IDLE_S, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_CONCURRENCY } from "./resolve.ts";
export { idFromName, idMayShadow, PROVIDER_ID } from "./schema.ts";
export type {
  ConfigSource,
  EnvPolicy,
  PinningMode,
  ProviderTransport,
  ResolvedConfig,
  ResolvedProvider,
  ToolFilter,
} from "./types.ts";
