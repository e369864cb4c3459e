/**
 * The built-in demo config, used when no config file is found: two stdio providers, `demo` and `demo2`,
 * each running hangar's own demo provider, so every command works out of the box.
 */
import { homedir } from "node:os";
import { DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_CONCURRENCY, deepFreeze, resolveProvider } from "./resolve.ts";
import type { ResolvedConfig } from "./types.ts";

/** The ids of the built-in demo providers. */
export const DEMO_PROVIDER_IDS = ["demo", "demo2"] as const;

/**
 * The demo config. `selfCommand` is how to run hangar itself (e.g. `[process.execPath, "src/main.ts"]`);
 * each provider runs `[...selfCommand, "demo-provider", "--name", id]`. Every setting has its default.
 */
export function demoConfig(selfCommand: readonly string[]): ResolvedConfig {
  const context = { source: { kind: "demo" } as const, home: homedir(), baseDir: process.cwd() };
  const providers = DEMO_PROVIDER_IDS.map((id) =>
    resolveProvider({ id, command: [...selfCommand, "demo-provider", "--name", id] }, {}, context),
  );
  return deepFreeze({
    source: context.source,
    maxConcurrency: DEFAULT_MAX_CONCURRENCY,
    maxBatchSize: DEFAULT_MAX_BATCH_SIZE,
    // The built-in providers are hangar's own code: nothing to pin, and no config file to put a lock beside.
    pinning: "off",
    providers,
  });
}
