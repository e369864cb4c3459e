/**
 * The config file format as zod schemas: hangar's own keys (`providers`, `defaults`, …) and the de-facto
 * standard `mcpServers` map of Claude Desktop, Claude Code and Cursor. Durations are in seconds here;
 * `resolve.ts` turns them into milliseconds and fills in defaults.
 */
import { z } from "zod";
import { isRecord } from "./is-record.ts";

export { isRecord } from "./is-record.ts";

/** What an environment variable's name looks like. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a provider id (and an `mcpServers` name) must look like. */
export const PROVIDER_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Whether an id could give two providers the same exposed name (`<id>__<name>`): one that holds `__` or
 * ends in `_` (`a` with tool `b__echo` and `a__b` with tool `echo` would both be `a__b__echo`).
 */
export function idMayShadow(id: string): boolean {
  return id.includes("__") || id.endsWith("_");
}

/**
 * The provider id an `mcpServers` name becomes when it cannot be one as it is (`my server` → `my-server`,
 * `a__b_` → `a_b`; nothing usable left: `server`). `hangar init --import` gives it (made unique), and a
 * config error about such a name suggests it.
 */
export function idFromName(name: string): string {
  const id =
    name
      .replace(/[^A-Za-z0-9_-]+/g, "-")
      .replace(/__+/g, "_")
      .replace(/^-+/, "")
      .slice(0, 32)
      .replace(/[-_]+$/, "") || "server";
  return PROVIDER_ID.test(id) && !idMayShadow(id) ? id : "server";
}

/** Why `idMayShadow` ids are refused. */
export const ID_SHADOW_MESSAGE =
  "cannot hold `__` or end in `_`: exposed names are `<id>__<name>`, so it could take another provider's names; use one `_` or `-` instead";

const stringMap = z.record(z.string(), z.string());
const httpUrl = z.string().refine(isHttpUrl, { error: "expected an http:// or https:// URL" });
const whole = (min: number) => z.number().int().min(min);
/**
 * The longest duration a config may set, in seconds: timers wait at most 2^31 − 1 ms (about 24.8 days);
 * a longer one would fire at once.
 */
export const MAX_DURATION_S = 2_147_483;
/** A duration in seconds: ≥ 0 (or > 0 when `positive`), at most `MAX_DURATION_S`. */
const duration = (positive = false) => (positive ? z.number().positive() : z.number().min(0)).max(MAX_DURATION_S);

const toolsSchema = z.strictObject({
  allow: z.array(z.string()).optional(),
  deny: z.array(z.string()).optional(),
});

/** Per-provider settings that may also appear in `defaults`. */
const settingsShape = {
  idle_ttl_s: duration().optional(),
  health_check_interval_s: duration().optional(),
  max_consecutive_failures: whole(1).optional(),
  circuit_cooldown_s: duration().optional(),
  max_concurrency: whole(1).optional(),
  max_queue: whole(0).optional(),
  startup_timeout_s: duration(true).optional(),
  call_timeout_s: duration(true).optional(),
  retries: whole(0).optional(),
  tools: toolsSchema.optional(),
  expose: z.boolean().optional(),
  prefix: z.boolean().optional(),
  per_client: z.boolean().optional(),
};

/** The `defaults` map: any per-provider setting, but nothing that says what to launch. */
export const defaultsSchema = z.strictObject(settingsShape);

/** One entry of the `providers` list. Which launch keys go together is checked by `launchProblems`. */
export const providerSchema = z.strictObject({
  id: z
    .string()
    .regex(PROVIDER_ID, { error: "expected an id of 1–32 letters, digits, `_` or `-`" })
    .refine((id) => !PROVIDER_ID.test(id) || !idMayShadow(id), { error: ID_SHADOW_MESSAGE }),
  description: z.string().optional(),
  command: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: "expected a program name or a non-empty list of strings (program and arguments)",
    })
    .optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  env_inherit: z
    .union([z.enum(["all", "none"]), z.array(z.string().regex(ENV_NAME, { error: "expected a variable name" }))], {
      error: "expected `all`, `none` or a list of variable names",
    })
    .optional(),
  cwd: z.string().min(1).optional(),
  image: z.string().min(1).optional(),
  network: z.string().min(1).optional(),
  volumes: z.array(z.string().min(1)).optional(),
  url: httpUrl.optional(),
  headers: stringMap.optional(),
  transport: z.enum(["auto", "streamable-http", "sse"]).optional(),
  auth: z.enum(["oauth"], { error: "expected `oauth` (sign in with `hangar auth login`)" }).optional(),
  ...settingsShape,
});

/** One entry of an `mcpServers` map; keys hangar does not use were already dropped by `relevantPart`. */
export const mcpServerSchema = z.strictObject({
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: stringMap.optional(),
  cwd: z.string().min(1).optional(),
  url: httpUrl.optional(),
  type: z.enum(["stdio", "http", "streamable-http", "sse"]).optional(),
  headers: stringMap.optional(),
});

/** A whole config file. */
export const fileSchema = z.strictObject({
  max_concurrency: whole(1).optional(),
  max_batch_size: whole(1).optional(),
  pinning: z.enum(["warn", "block", "off"]).optional(),
  shared: z.boolean().optional(),
  daemon_idle_s: duration().optional(),
  defaults: defaultsSchema.optional(),
  providers: z.array(providerSchema).optional(),
  mcpServers: z.record(z.string(), mcpServerSchema).optional(),
});

/** A validated config file, durations still in seconds. */
export type ConfigFile = z.infer<typeof fileSchema>;
/** One validated `providers` entry. */
export type ProviderEntry = z.infer<typeof providerSchema>;
/** One validated `mcpServers` entry. */
export type McpServerEntry = z.infer<typeof mcpServerSchema>;
/** The validated `defaults` map. */
export type DefaultsEntry = z.infer<typeof defaultsSchema>;

/** Hangar's own top-level keys; a file with `mcpServers` and none of these is another client's config. */
export const HANGAR_TOP_KEYS = [
  "max_concurrency",
  "max_batch_size",
  "pinning",
  "shared",
  "daemon_idle_s",
  "defaults",
  "providers",
] as const;
const MCP_SERVER_KEYS = Object.keys(mcpServerSchema.shape);

/** The keys allowed in the map at `path` (for "did you mean"), or undefined when it is not a known map. */
export function knownKeysAt(path: readonly (string | number)[]): readonly string[] | undefined {
  const [first, second, third] = path;
  if (path.length === 0) return Object.keys(fileSchema.shape);
  if (first === "defaults" && path.length === 1) return Object.keys(defaultsSchema.shape);
  if (first === "providers" && typeof second === "number" && path.length === 2)
    return Object.keys(providerSchema.shape);
  if (path.at(-1) === "tools" && (third === "tools" || second === "tools")) return ["allow", "deny"];
  return undefined;
}

/**
 * The part of a parsed file that hangar reads, before `${VAR}` is filled in (so that a foreign client's
 * keys and disabled servers never fail on an unset variable): a foreign client config keeps only
 * `mcpServers`; empty top-level sections are dropped; `mcpServers` entries with `disabled: true` are dropped, and keys other clients use
 * (`alwaysAllow`, `timeout`, …) are dropped from the rest.
 */
export function relevantPart(data: unknown): unknown {
  if (data === null || data === undefined) return {};
  if (!isRecord(data)) return data;
  const foreign = "mcpServers" in data && !HANGAR_TOP_KEYS.some((key) => key in data);
  const result: Record<string, unknown> = foreign ? { mcpServers: data.mcpServers } : { ...data };
  // An empty section (`defaults:` with every line commented out) is as if it were not there.
  for (const [key, value] of Object.entries(result)) if (value === null) delete result[key];
  const servers = result.mcpServers;
  if (!isRecord(servers)) return result;
  const kept: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(servers)) {
    if (isRecord(entry) && entry.disabled === true) continue;
    const value = isRecord(entry)
      ? Object.fromEntries(Object.entries(entry).filter(([key]) => MCP_SERVER_KEYS.includes(key)))
      : entry;
    Object.defineProperty(kept, name, { value, enumerable: true, writable: true, configurable: true });
  }
  result.mcpServers = kept;
  return result;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
