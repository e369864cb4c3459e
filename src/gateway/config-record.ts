import { configHash } from "../config/config-diff.ts";
import type { ResolvedConfig } from "../config/types.ts";

/** What asked for a reload: the file changed, SIGHUP, or a caller in code. */
export type ReloadTrigger = "file" | "SIGHUP" | "manual";

/** How a reload ended: applied (the config changed), unchanged (nothing to apply), or failed (nothing applied). */
export type ReloadResult = "applied" | "unchanged" | "failed";

/** The config part of `hangar_status` (and of `/readyz`'s detail). */
export interface ConfigStatus {
  /** The config file, or "demo" for the built-in demo config. */
  source: string;
  /** A short hash of the config applied now (see `configHash`). */
  hash: string;
  /** When the config applied now was loaded (ISO 8601). */
  loaded_at: string;
  /** Reloads tried since Hangar started, whatever their result. */
  reloads: number;
  /** The last reload: when, why, how it ended, and where a failed one's error is. */
  last_reload?: { result: ReloadResult; trigger: ReloadTrigger; at: string; error?: string };
}

/**
 * Which config is applied and how the reloads went, for `hangar_status` and `/readyz`. The times are
 * wall-clock timestamps to read beside logs, never used to time anything.
 */
export class ConfigRecord {
  private current: ConfigStatus;

  constructor(config: ResolvedConfig) {
    this.current = { ...identity(config), reloads: 0 };
  }

  /** The config part of the status now. */
  status(): ConfigStatus {
    return structuredClone(this.current);
  }

  /** The last reload's error, while the last reload is one that failed. */
  get lastError(): string | undefined {
    return this.current.last_reload?.error;
  }

  /** Records a reload that ended as `result`; `config` is the one applied when it was. */
  record(result: ReloadResult, trigger: ReloadTrigger, config?: ResolvedConfig, error?: string): void {
    const at = new Date().toISOString();
    this.current = {
      ...this.current,
      ...(config ? identity(config) : {}),
      reloads: this.current.reloads + 1,
      last_reload: { result, trigger, at, ...(error === undefined ? {} : { error }) },
    };
  }
}

function identity(config: ResolvedConfig): Pick<ConfigStatus, "source" | "hash" | "loaded_at"> {
  return {
    source: config.source.kind === "file" ? config.source.path : "demo",
    hash: configHash(config),
    loaded_at: new Date().toISOString(),
  };
}
