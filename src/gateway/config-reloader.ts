import { readFile } from "node:fs/promises";
import { configHash, describeDiff } from "../config/config-diff.ts";
import type { Env } from "../config/interpolate.ts";
import type { ResolvedConfig } from "../config/types.ts";
import { fileYamlMemo } from "../config/yaml-memo.ts";
import { CancelledError, messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { sha256Hex } from "../runtime/index.ts";
import type { ReloadResult, ReloadTrigger } from "./config-record.ts";
import type { Gateway } from "./gateway.ts";

/** Options of `ConfigReloader`; every field says its default. */
export interface ConfigReloaderOptions {
  readonly gateway: Gateway;
  readonly logger: Logger;
  /**
   * Where `${VAR}` values come from: hangar's environment as it was at its start (default: a copy of
   * `process.env` taken when the reloader is made, right after the config was first loaded). A reload
   * never sees a variable changed since.
   */
  readonly env?: Env;
  /** Told how each reload ended (metrics; default nothing). */
  readonly onResult?: (result: ReloadResult) => void;
  /** Where `loadConfig` remembers which texts Bun's YAML parser reads right (default: nowhere; see `LoadConfigOptions`). */
  readonly yamlMemoDir?: string;
}

/**
 * Reads the config file again and applies it to the running gateway (`Gateway.reload`). Reloads run one
 * at a time, in order. A file that cannot be read or is invalid changes nothing: its located error
 * (file:line:col) is logged once at warn level and kept for `hangar_status` and `/readyz`; the next
 * valid save applies. A file event for content already seen (applied, or failed) is no reload at all.
 */
export class ConfigReloader {
  private readonly env: Env;
  /** Hash of the file text last applied, or last found invalid. */
  private lastText: string | undefined;
  private lastFailed: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ConfigReloaderOptions) {
    this.env = options.env ?? { ...process.env };
  }

  /** Whether there is a file to reload (the built-in demo config has none). */
  get path(): string | undefined {
    const source = this.options.gateway.config.source;
    return source.kind === "file" ? source.path : undefined;
  }

  /**
   * Remembers the file's content now as applied, so the first file event for the same text is no reload;
   * when it already differs from what was loaded at start (saved in between), reloads it at once.
   */
  async remember(): Promise<void> {
    const path = this.path;
    if (path === undefined) return;
    const text = await readFile(path, "utf8").catch(() => undefined);
    let same = false;
    try {
      same = text !== undefined && configHash(await this.parse(text, path)) === this.appliedHash();
    } catch {
      // Broken since it was loaded: the reload below says where.
    }
    if (same) this.lastText = sha256Hex(text!);
    else void this.reload("file");
  }

  /** The parser (yaml, the zod schema) loads at the first reload: a `hangar call` never pays for it. */
  private async parse(text: string, path: string): Promise<ResolvedConfig> {
    const { parseConfigText } = await import("../config/parse.ts");
    const dir = this.options.yamlMemoDir;
    return parseConfigText(text, path, this.env, undefined, dir === undefined ? undefined : fileYamlMemo(dir, path));
  }

  private appliedHash(): string {
    return this.options.gateway.configRecord.status().hash;
  }

  /**
   * Reloads now (after any reload under way); resolves with how it ended, or undefined when a file event
   * found the content it already knew.
   */
  reload(trigger: ReloadTrigger): Promise<ReloadResult | undefined> {
    const next = this.queue.then(() => this.reloadNow(trigger));
    this.queue = next.catch(() => {});
    return next;
  }

  private async reloadNow(trigger: ReloadTrigger): Promise<ReloadResult | undefined> {
    const { gateway, logger } = this.options;
    const path = this.path;
    if (path === undefined) {
      logger.info({ trigger }, "no config file to reload (the built-in demo config is in use)");
      return undefined;
    }
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      return this.failed(
        trigger,
        `Cannot read config file ${path}: ${messageOf(error)}`,
        `unreadable:${messageOf(error)}`,
      );
    }
    const hash = sha256Hex(text);
    if (trigger === "file" && (hash === this.lastText || hash === this.lastFailed)) return undefined;
    let result: ReloadResult;
    try {
      const config = await this.parse(text, path);
      const diff = gateway.reload(config, trigger);
      this.lastText = hash;
      this.lastFailed = undefined;
      result = gateway.configRecord.status().last_reload?.result ?? "applied";
      logger.info(
        { trigger, hash: gateway.configRecord.status().hash, ...describeDiff(diff) },
        result === "applied" ? "config reloaded" : "config reloaded; nothing changed",
      );
    } catch (error) {
      // Hangar is shutting down (stdin ended): there is nothing left to reload into.
      if (error instanceof CancelledError) return undefined;
      return this.failed(trigger, messageOf(error), hash);
    }
    this.options.onResult?.(result);
    return result;
  }

  private failed(trigger: ReloadTrigger, message: string, key: string): ReloadResult {
    const { gateway, logger } = this.options;
    if (key !== this.lastFailed)
      logger.warn({ trigger, err: message }, "config not reloaded; the running config stays in use");
    this.lastFailed = key;
    gateway.configRecord.record("failed", trigger, undefined, message);
    this.options.onResult?.("failed");
    return "failed";
  }
}
