import { readFile } from "node:fs/promises";
// find.ts, not the config index: the bridge must not load YAML and zod just to find its daemon.
import { findConfigFile } from "../../config/find.ts";
import { ConfigError, messageOf } from "../../errors.ts";
import { selfCommand } from "../../self-command.ts";
import { daemonKey } from "./daemon-key.ts";
import { type DaemonFiles, daemonFiles, ensureRunDir, runDir } from "./run-dir.ts";

/** The global options that choose the config and the daemon's logging. */
export interface SharedGlobals {
  readonly config?: string;
  readonly logLevel?: string;
  readonly verbose?: boolean;
}

/** Which daemon a client (or the daemon itself) belongs to, and how to start it. */
export interface SharedSetup {
  readonly key: string;
  readonly files: DaemonFiles;
  /** The argv that starts this daemon: `hangar [--config <abs>] [--log-level …] daemon --key <key>`. */
  readonly daemonCommand: readonly string[];
}

/**
 * Finds the config as every command does, and derives the daemon key (config path and text, the
 * `${VAR}`s it uses, the working directory, HOME, this hangar) and the daemon's files from it. The run
 * directory is created (0700) when missing.
 */
export async function sharedSetup(
  globals: SharedGlobals,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<SharedSetup> {
  const found = await findConfigFile({ ...(globals.config ? { path: globals.config } : {}), env, cwd });
  let text = "";
  if (found !== undefined) {
    try {
      text = await readFile(found.path, "utf8");
    } catch (error) {
      throw new ConfigError(`Cannot read config file ${found.path}: ${messageOf(error)}`);
    }
  }
  const self = selfCommand();
  const key = daemonKey({ configPath: found?.path, configText: text, env, cwd, selfCommand: self });
  const dir = runDir(env);
  ensureRunDir(dir);
  const daemonCommand = [
    ...self,
    ...(found === undefined ? [] : ["--config", found.path]),
    ...(globals.logLevel === undefined ? [] : ["--log-level", globals.logLevel]),
    ...(globals.verbose ? ["--verbose"] : []),
    "daemon",
    "--key",
    key,
  ];
  return { key, files: daemonFiles(dir, key), daemonCommand };
}
