import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256Hex } from "../../runtime/sha256.ts";
import { VERSION } from "../../version.ts";

/** What a start key is made of; every field says its default. */
export interface StartKeyInputs {
  /** The config file the lookup order found (absolute). */
  readonly configPath: string;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Default `process.argv`, `process.execPath` and `process.cwd()`. */
  readonly argv?: readonly string[];
  readonly execPath?: string;
  readonly cwd?: string;
}

/**
 * The key of one way of starting `hangar serve`: this hangar's version and executable, its arguments,
 * working folder and whole environment, the config file's text and the pinning lock's text. Everything
 * the SDK path's `initialize` and `tools/list` answers depend on, but the providers' cached tools (those
 * are checked one by one, early-record.ts). Undefined when the config cannot be read.
 */
export function startKeyOf(inputs: StartKeyInputs): string | undefined {
  const env = inputs.env ?? process.env;
  let config: string;
  try {
    config = readFileSync(inputs.configPath, "utf8");
  } catch {
    return undefined;
  }
  const lockPath = env.HANGAR_LOCK || join(dirname(inputs.configPath), "hangar.lock");
  let lock: string | null;
  try {
    lock = readFileSync(lockPath, "utf8");
  } catch {
    lock = null;
  }
  const environment = Object.entries(env)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(
    JSON.stringify({
      version: VERSION,
      execPath: inputs.execPath ?? process.execPath,
      argv: inputs.argv ?? process.argv,
      cwd: inputs.cwd ?? process.cwd(),
      environment,
      configPath: inputs.configPath,
      config,
      lockPath,
      lock,
    }),
  );
}
