import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ResolvedConfig } from "../config/index.ts";
import { ConfigError, messageOf } from "../errors.ts";
import { canonicalJson, type Definition, type PinKind } from "./definition.ts";

/** Bump when the file's shape changes. */
const FORMAT = 1;

/** The lock file's name beside the config. */
export const LOCK_NAME = "hangar.lock";

/** One pinned item: its digest and the definition it was taken from (so a change can be shown as a diff). */
export interface PinnedItem {
  readonly digest: string;
  readonly definition: Definition;
}

/** One provider's pinned tools and prompts, by name. */
export interface ProviderPins {
  readonly tools: Readonly<Record<string, PinnedItem>>;
  readonly prompts: Readonly<Record<string, PinnedItem>>;
}

/** The whole lock: every recorded provider's pins, by provider id. */
export interface LockData {
  readonly providers: Readonly<Record<string, ProviderPins>>;
}

/** The map of one kind of item in a provider's pins. */
export function pinsOf(provider: ProviderPins, kind: PinKind): Readonly<Record<string, PinnedItem>> {
  return kind === "tool" ? provider.tools : provider.prompts;
}

/**
 * Where a config's lock file lives: `$HANGAR_LOCK` when set, else `hangar.lock` in the config file's
 * folder (`./hangar.lock` for a project's `./hangar.yaml`, meant to be committed with it;
 * `~/.hangar/hangar.lock` for the global `~/.hangar/config.yaml`). Undefined for the built-in demo.
 */
export function lockPathOf(
  config: ResolvedConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  const fromEnv = env.HANGAR_LOCK;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  return config.source.kind === "file" ? join(dirname(config.source.path), LOCK_NAME) : undefined;
}

/**
 * The lock file on disk: JSON with sorted keys and one definition per item, so a change reads well in
 * a code review. Read whole; written whole to a temp file, then renamed, so no reader sees half a file.
 */
export class LockFile {
  constructor(readonly path: string) {}

  /** The lock's pins; empty when the file does not exist. Throws ConfigError when it is not a lock file. */
  read(): LockData {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { providers: {} };
      throw new ConfigError(`Cannot read the lock file ${this.path}: ${messageOf(error)}`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(
        `The lock file ${this.path} is not valid JSON (${messageOf(error)}); restore it from version control`,
      );
    }
    if (!isLock(data))
      throw new ConfigError(
        `The lock file ${this.path} is not a hangar lock of format ${FORMAT}; restore it from version control`,
      );
    return { providers: data.providers };
  }

  /** Writes the pins; throws the file system's error (EROFS, EACCES, ENOSPC) after removing its temp file. */
  write(data: LockData): void {
    const temp = `${this.path}.${process.pid}.tmp`;
    const text = canonicalJson(
      {
        hangar_lock: FORMAT,
        about: "Tool and prompt definitions hangar trusts (docs/pinning.md). Approve changes with `hangar pin`.",
        providers: data.providers,
      },
      2,
    );
    try {
      writeFileSync(temp, `${text}\n`);
      renameSync(temp, this.path);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /** Something that changes whenever the file does (modification time and size); "" when it is absent. */
  stamp(): string {
    try {
      const info = statSync(this.path);
      return `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch {
      return "";
    }
  }
}

function isLock(data: unknown): data is { hangar_lock: number; providers: Record<string, ProviderPins> } {
  if (typeof data !== "object" || data === null) return false;
  const { hangar_lock, providers } = data as Record<string, unknown>;
  if (hangar_lock !== FORMAT || typeof providers !== "object" || providers === null) return false;
  return Object.values(providers).every(
    (entry) =>
      typeof entry === "object" &&
      entry !== null &&
      typeof (entry as ProviderPins).tools === "object" &&
      typeof (entry as ProviderPins).prompts === "object",
  );
}
