/**
 * Writing hangar's config file: never over an existing file without `force`, the folder made if needed,
 * private (0600) when it holds copied env or header values, and checked with the config loader.
 */
import { chmod, mkdir, stat, writeFile } from "node:fs/promises";
import * as nodePath from "node:path";
import { type Env, parseConfigText } from "../config/index.ts";
import { ConfigError, UsageError } from "../errors.ts";

/** Options of `writeConfig`; every field says its default. */
export interface WriteConfigOptions {
  /** Replace an existing file (default false: an existing file is an error). */
  readonly force?: boolean;
  /** Make the file readable by its owner only (default false). */
  readonly private?: boolean;
  /** Environment and home the written text is checked with (default process.env and $HOME). */
  readonly env?: Env;
  readonly home?: string;
}

/** What was written; `problems` is the loader's message when hangar cannot load the file as it is. */
export interface WrittenConfig {
  readonly path: string;
  readonly replaced: boolean;
  readonly problems: string | undefined;
}

/** True when `path` exists (as anything). */
export async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}

/** Writes `text` to `path` (absolute) and checks that hangar loads it. */
export async function writeConfig(
  path: string,
  text: string,
  options: WriteConfigOptions = {},
): Promise<WrittenConfig> {
  const replaced = await exists(path);
  if (replaced && !options.force) {
    throw new UsageError(`${path} already exists; pass --force to replace it, or --path to write somewhere else`);
  }
  await mkdir(nodePath.dirname(path), { recursive: true });
  await writeFile(path, text, { mode: options.private ? 0o600 : 0o644 });
  if (options.private) await chmod(path, 0o600);
  let problems: string | undefined;
  try {
    parseConfigText(text, path, options.env ?? process.env, options.home);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.message;
  }
  return { path, replaced, problems };
}
