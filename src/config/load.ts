/**
 * Finding and reading the config file. Looked up in order: an explicit path (`--config`), `$HANGAR_CONFIG`,
 * `./hangar.yaml` (or `./hangar.yml`, `./hangar.json`), `~/.hangar/config.yaml`; none found means the
 * built-in demo config.
 */
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { ConfigError, messageOf } from "../errors.ts";
import { DEMO_PROVIDER_IDS, demoConfig } from "./demo.ts";
import { type FindConfigOptions, findConfigFile } from "./find.ts";
import type { ResolvedConfig } from "./types.ts";
import { fileYamlMemo } from "./yaml-memo.ts";

export { type FindConfigOptions, type FoundConfigFile, findConfigFile } from "./find.ts";

/** Where to look and what to fill `${VAR}` from. */
export interface LoadConfigOptions extends FindConfigOptions {
  /** How to run hangar itself; the demo providers run `[...selfCommand, "demo-provider", …]`. */
  readonly selfCommand: readonly string[];
  /**
   * Where to remember which config texts Bun's native YAML parser reads as the yaml library does, so an
   * unchanged config is read without the library (default: nowhere; the library parses every load).
   */
  readonly yamlMemoDir?: string;
}

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
  const memo = options.yamlMemoDir === undefined ? undefined : fileYamlMemo(options.yamlMemoDir, found.path);
  // Parsing (yaml, zod) loads only for a file: `hangar call` on the demo config starts its providers sooner.
  const { parseConfigText } = await import("./parse.ts");
  return parseConfigText(text, found.path, env, home, memo);
}

/** One line saying where the config came from, for every command to print. */
export function describeSource(config: ResolvedConfig): string {
  if (config.source.kind === "file") return `Using config ${config.source.path}`;
  const ids = DEMO_PROVIDER_IDS.map((id) => `"${id}"`).join(" and ");
  return `No config found (looked for $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml); using the built-in demo providers ${ids}`;
}
