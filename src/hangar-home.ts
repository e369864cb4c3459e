import { homedir } from "node:os";
import { join } from "node:path";
import { ENV } from "./knobs.ts";

/** An environment to read paths from (default `process.env`). */
type Env = Readonly<Record<string, string | undefined>>;

/**
 * The folder hangar writes to: `$HANGAR_HOME`, else `~/.hangar` (`$HOME`, then the OS's idea of home).
 * Its `cache/` holds provider catalogs and its `run/` the run registry; on a read-only root filesystem
 * point it at a writable volume.
 */
export function hangarHome(env: Env = process.env): string {
  const home = env[ENV.home];
  if (home !== undefined && home !== "") return home;
  return join(env.HOME || homedir(), ".hangar");
}
