/** Warnings for config values that work but are likely to hurt: each says why, and what to write instead. */
import type { ResolvedConfig, ResolvedProvider } from "../config/index.ts";
import { type Check, check } from "./check.ts";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const DOWNLOADERS = new Set(["npx", "uvx", "bunx", "pnpx", "pipx"]);

/** Which settings the user wrote for a provider, in its entry or under `defaults` (not built-in defaults). */
export type WrittenSettings = (providerId: string, key: string) => boolean;

/** `WrittenSettings` read from the config file's parsed (not resolved) data. */
export function writtenSettings(raw: unknown): WrittenSettings {
  const record = (value: unknown): Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const file = record(raw);
  const defaults = record(file.defaults);
  const entryOf = (id: string): Record<string, unknown> => {
    const listed = Array.isArray(file.providers) ? file.providers.find((entry) => record(entry).id === id) : undefined;
    return record(listed ?? (Object.hasOwn(record(file.mcpServers), id) ? record(file.mcpServers)[id] : undefined));
  };
  return (id, key) => entryOf(id)[key] !== undefined || defaults[key] !== undefined;
}

/** Warnings about one provider's settings. */
function providerWarnings(provider: ResolvedProvider, config: ResolvedConfig, written: WrittenSettings): Check[] {
  const warn = (name: string, message: string, fix: string) =>
    check("config", provider.id, name, "warn", message, { fix });
  const warnings: Check[] = [];
  const t = provider.transport;
  if (t.kind === "stdio" && DOWNLOADERS.has(t.command) && provider.startupTimeoutMs < 20_000) {
    warnings.push(
      warn(
        "startup_timeout_s",
        `startup_timeout_s is ${provider.startupTimeoutMs / 1000} s, and a first "${t.command}" run may download the server`,
        "raise startup_timeout_s to 30 or more",
      ),
    );
  }
  if (
    t.kind === "http" &&
    new URL(t.url).protocol === "http:" &&
    !LOOPBACK.has(new URL(t.url).hostname) &&
    Object.keys(t.headers).length > 0
  ) {
    warnings.push(
      warn("url", "headers (credentials, perhaps) are sent to a remote host over plain http://", "use an https:// URL"),
    );
  }
  if (t.kind === "docker" && t.network === "host") {
    warnings.push(
      warn(
        "network",
        "the container shares the host's network (network: host)",
        "use `network: bridge` unless the server needs the host's ports",
      ),
    );
  }
  // Only a value the user wrote: the built-in 8 above a small gateway limit is simply capped by it.
  if (provider.maxConcurrency > config.maxConcurrency && written(provider.id, "max_concurrency")) {
    warnings.push(
      warn(
        "max_concurrency",
        `max_concurrency ${provider.maxConcurrency} is more than the gateway's ${config.maxConcurrency}, so it is never reached`,
        "lower it, or raise the top-level max_concurrency",
      ),
    );
  }
  if (provider.maxConsecutiveFailures === 1) {
    warnings.push(
      warn(
        "max_consecutive_failures",
        "one failed call opens the circuit and refuses calls for circuit_cooldown_s",
        "use 3 (the default) unless the server must be left alone after any failure",
      ),
    );
  }
  if (provider.callTimeoutMs > 600_000) {
    warnings.push(
      warn(
        "call_timeout_s",
        `call_timeout_s is ${provider.callTimeoutMs / 1000} s: a stuck call holds its permit that long`,
        "give long calls their own timeout_s in the batch instead",
      ),
    );
  }
  return warnings;
}

/** Every warning about `config`'s values; `written` says which the user wrote (default: all of them). */
export function riskyValues(config: ResolvedConfig, written: WrittenSettings = () => true): Check[] {
  return config.providers.flatMap((provider) => providerWarnings(provider, config, written));
}
