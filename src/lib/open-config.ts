import { homedir } from "node:os";
import * as nodePath from "node:path";
import type { ResolvedConfig } from "../config/index.ts";
// load.ts, not the folder's index (which exports the parser too): the parser loads only for an object.
import { loadConfig } from "../config/load.ts";
import { deepFreeze } from "../config/resolve.ts";
import { demoCommand } from "./demo-command.ts";
import type { McpServerEntry } from "./types.ts";

/** Where `Hangar.open` takes its providers from; exactly one of `config` and `mcpServers`, or neither. */
export interface ConfigInput {
  /**
   * A config file's path (YAML or JSON, relative to `cwd`), or a config file's content as an object
   * (`providers`, `defaults`, `mcpServers`, … as in hangar.yaml). Default: looked up as the CLI does
   * (`$HANGAR_CONFIG`, `./hangar.yaml`, `~/.hangar/config.yaml`), else the built-in demo providers.
   */
  readonly config?: string | Readonly<Record<string, unknown>>;
  /** An `mcpServers` map, as Claude Desktop, Cursor and Claude Code write it: each name becomes a provider. */
  readonly mcpServers?: Readonly<Record<string, McpServerEntry>>;
  /** Fills `${VAR}` in the config and is what providers inherit (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths are taken from here (default `process.cwd()`). */
  readonly cwd?: string;
}

/** What an in-memory config is called in error messages (`<name>:3:5: …`). */
const IN_MEMORY = "Hangar.open config";

/**
 * The resolved config of `input`, through the same loaders and checks as a config file. A config given as
 * an object has no file to keep a tool-pinning lock beside: pinning is off unless the object sets it.
 * @internal
 */
export async function openConfig(input: ConfigInput): Promise<ResolvedConfig> {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  if (input.config !== undefined && input.mcpServers !== undefined)
    throw new TypeError("Hangar.open takes either `config` or `mcpServers`, not both");
  if (typeof input.config === "string")
    return await loadConfig({ path: input.config, env, cwd, selfCommand: demoCommand() });
  const object = input.mcpServers === undefined ? input.config : { mcpServers: input.mcpServers };
  // Without a config file, the demo providers run the library's own demo provider script.
  if (object === undefined) return await loadConfig({ env, cwd, selfCommand: demoCommand() });
  // JSON is YAML: the object goes through the file parser, so it is checked as a file is, problems located.
  const text = JSON.stringify(object, null, 2);
  const { parseConfigText } = await import("../config/parse.ts");
  const resolved = parseConfigText(text, nodePath.join(cwd, IN_MEMORY), env, env.HOME ?? homedir());
  return "pinning" in object ? resolved : deepFreeze({ ...resolved, pinning: "off" as const });
}
