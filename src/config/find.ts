/**
 * Finding the config file, without reading it: the lookup order of load.ts. Apart from the rest of the
 * config folder (no YAML, no zod) so that `hangar serve --shared` finds its daemon in milliseconds.
 */
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import * as nodePath from "node:path";
import { ConfigError } from "../errors.ts";
import type { Env } from "./interpolate.ts";

/** Where to look for the config file. */
export interface FindConfigOptions {
  /** An explicit config path (`--config`); it must exist. Relative to `cwd`. */
  readonly path?: string;
  /** Environment for `$HANGAR_CONFIG`, `$HOME` and `${VAR}` (default `process.env`). */
  readonly env?: Env;
  /** Directory `./hangar.yaml` is looked for in (default `process.cwd()`). */
  readonly cwd?: string;
  /** Home directory for `~/.hangar/config.yaml` and `~` (default `$HOME`, then `os.homedir()`). */
  readonly home?: string;
}

/** A config file that was found, and which rule of the lookup order found it. */
export interface FoundConfigFile {
  readonly path: string;
  readonly via: "--config" | "$HANGAR_CONFIG" | "cwd" | "home";
}

const CWD_NAMES = ["hangar.yaml", "hangar.yml", "hangar.json"] as const;

/** `~` and `~/…` in `path`, relative to `home`. */
export function expandHome(path: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/")) return nodePath.join(home, path.slice(2));
  return path;
}

/** The config file the lookup order finds (an absolute path), or undefined when there is none. */
export async function findConfigFile(options: FindConfigOptions): Promise<FoundConfigFile | undefined> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = options.home ?? env.HOME ?? homedir();
  const absolute = (path: string) => nodePath.resolve(cwd, expandHome(path, home));
  if (options.path !== undefined) {
    return { path: await mustExist(absolute(options.path), "given with --config"), via: "--config" };
  }
  const fromEnv = env.HANGAR_CONFIG;
  if (fromEnv !== undefined && fromEnv !== "") {
    return { path: await mustExist(absolute(fromEnv), "named by $HANGAR_CONFIG"), via: "$HANGAR_CONFIG" };
  }
  for (const name of CWD_NAMES) {
    const path = nodePath.join(nodePath.resolve(cwd), name);
    if (await isFile(path)) return { path, via: "cwd" };
  }
  const inHome = nodePath.join(home, ".hangar", "config.yaml");
  if (await isFile(inHome)) return { path: nodePath.resolve(inHome), via: "home" };
  return undefined;
}

async function mustExist(path: string, how: string): Promise<string> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) throw new ConfigError(`Config file ${path} (${how}) ${unreadable(info)}`);
  if (!info.isFile()) throw new ConfigError(`Config file ${path} (${how}) is not a file`);
  return path;
}

/** Why a path that could not be looked at cannot be the config, in words (not found is the common case). */
function unreadable(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case "ENOENT":
      return "does not exist";
    case "ELOOP":
      return "is a loop of symbolic links";
    case "EACCES":
      return "cannot be reached: permission denied on a folder of its path";
    case "ENOTDIR":
      return "does not exist: a part of its path is not a folder";
    default:
      return `cannot be looked at: ${error.message}`;
  }
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ?? false;
}
