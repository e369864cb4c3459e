import { createHash } from "node:crypto";
import { VERSION } from "../../version.ts";

/** What decides a shared daemon's behaviour: two clients share a daemon only when all of it is equal. */
export interface DaemonKeyInput {
  /** The config file's absolute path; undefined for the built-in demo config. */
  readonly configPath: string | undefined;
  /**
   * The config file's text: only the variables it uses count (the daemon reloads an edited file in
   * place; one that uses other variables, or other values of them, makes a new key: a new daemon).
   */
  readonly configText: string;
  /** The environment the `${VAR}`s of the config are filled from. */
  readonly env: NodeJS.ProcessEnv;
  /** The working directory providers without a `cwd` get (`$HOME`, for `~`, counts too). */
  readonly cwd: string;
  /** How hangar runs itself (a different binary or version never shares a daemon). */
  readonly selfCommand: readonly string[];
}

/** `${NAME}` and `${NAME:-default}`, but not the escaped `$${`. */
const VAR_USE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * The names of the variables a config's text uses as `${NAME}`. Read from the raw text, comments
 * included: a name too many only splits daemons that could have been shared, never the other way.
 */
export function variablesUsed(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(VAR_USE)) if (match[1] !== undefined) names.add(match[1]);
  return [...names].sort();
}

/**
 * The daemon key: 24 hex digits of a SHA-256 over everything in `DaemonKeyInput` but the config's text
 * itself, of which only the variables used and their values count.
 */
export function daemonKey(input: DaemonKeyInput): string {
  const hash = createHash("sha256");
  const part = (text: string) => hash.update(`${text.length}:${text}\n`);
  part(VERSION);
  for (const arg of input.selfCommand) part(arg);
  part(input.configPath ?? "(demo)");
  part(input.cwd);
  part(input.env.HOME ?? "");
  for (const name of variablesUsed(input.configText)) {
    const value = input.env[name];
    part(value === undefined ? `${name} unset` : `${name}=${value}`);
  }
  return hash.digest("hex").slice(0, 24);
}
