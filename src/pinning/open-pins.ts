import { type Clock, systemClock } from "../clock.ts";
import type { ResolvedConfig } from "../config/index.ts";
import type { Logger } from "../observability/log.ts";
import { LockFile, lockPathOf } from "./lock-file.ts";
import { Pins } from "./pins.ts";

/** Options of `openPins`; every field says its default. */
export interface OpenPinsOptions {
  readonly logger: Logger;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** For `$HANGAR_LOCK` (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Record first listings (default true). */
  readonly record?: boolean;
  /** How often to look for approvals made elsewhere, in ms (default 1000; 0 = never). */
  readonly reloadMs?: number;
}

/**
 * The config's tool pinning: undefined when `pinning: off`, else `Pins` over the config's lock file
 * (`lockPathOf`). Throws ConfigError when the lock file exists but cannot be read as one.
 */
export function openPins(config: ResolvedConfig, options: OpenPinsOptions): Pins | undefined {
  if (config.pinning === "off") return undefined;
  const path = lockPathOf(config, options.env);
  return new Pins({
    mode: config.pinning,
    lock: path === undefined ? undefined : new LockFile(path),
    logger: options.logger,
    clock: options.clock ?? systemClock,
    ...(options.record === undefined ? {} : { record: options.record }),
    ...(options.reloadMs === undefined ? {} : { reloadMs: options.reloadMs }),
  });
}
