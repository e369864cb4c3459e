/**
 * Finding and reading the config file. Looked up in order: an explicit path (`--config`), `$HANGAR_CONFIG`,
 * `./hangar.yaml` (or `./hangar.yml`, `./hangar.json`), `~/.hangar/config.yaml`; none found means the
 * built-in demo config.
 */
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import * as nodePath from "node:path";
import { ConfigError, messageOf } from "../errors.ts";
import { DEMO_PROVIDER_IDS, demoConfig } from "./demo.ts";
import type { Env } from "./interpolate.ts";
import { parseConfigText } from "./parse.ts";
import { expandHome } from "./resolve.ts";
import type { ResolvedConfig } from "./types.ts";

/** Where to look and what to fill `${VAR}` from. */
export interface LoadConfigOptions {
  /** An explicit config path (`--config`); it must exist. Relative to `cwd`. */
  readonly path?: string;
  /** Environment for `$HANGAR_CONFIG`, `$HOME` and `${VAR}` (default `process.env`). */
  readonly env?: Env;
  /** Directory `./hangar.yaml` is looked for in (default `process.cwd()`). */
  readonly cwd?: string;
  /** Home directory for `~/.hangar/config.yaml` and `~` (default `$HOME`, then `os.homedir()`). */
  readonly home?: string;
  /** How to run hangar itself; the demo providers run `[...selfCommand, "demo-provider", …]`. */
  readonly selfCommand: readonly string[];
}

/** A config file that was found, and which rule of the lookup order found it. */
export interface FoundConfigFile {
  readonly path: string;
  readonly via: "--config" | "$HANGAR_CONFIG" | "cwd" | "home";
}

const CWD_NAMES = ["hangar.yaml", "hangar.yml", "hangar.json"] as const;

/** Finds, reads, parses and resolves the config; the demo config when there is none. */
export async function loadConfig(options: LoadConfigOptions): Promise<ResolvedConfig> {
  const env = options.env ?? process.env;
  const home = options.home ?? env.HOME ?? homedir();
  const found = await findConfigFile({ ...options, env, home });
  if (found === undefined) return demoConfig(options.selfCommand);
  let text: string;
  try {
    text = await readFile(found.path, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read config file ${found.path}: ${messageOf(error)}`);
  }
  return parseConfigText(text, found.path, env, home);
}

/** The config file the lookup order finds (an absolute path), or undefined when there is none. */
export async function findConfigFile(
  options: Omit<LoadConfigOptions, "selfCommand">,
): Promise<FoundConfigFile | undefined> {
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

/** One line saying where the config came from, for every command to print. */
export function describeSource(config: ResolvedConfig): string {
  if (config.source.kind === "file") return `Using config ${config.source.path}`;
  const ids = DEMO_PROVIDER_IDS.map((id) => `"${id}"`).join(" and ");
  return `No config found (looked for $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml); using the built-in demo providers ${ids}`;
}

async function mustExist(path: string, how: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new ConfigError(`Config file ${path} (${how}) does not exist`);
  if (!info.isFile()) throw new ConfigError(`Config file ${path} (${how}) is not a file`);
  return path;
}

async function isFile(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  return info?.isFile() ?? false;
}
