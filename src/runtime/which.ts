import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { bun } from "./host.ts";

/** Where `which` looks; every field says its default. */
export interface WhichOptions {
  /** The directories to search, `:`-separated (default: hangar's own $PATH). */
  readonly PATH?: string;
  /** What relative entries of PATH, and a relative command, are resolved against (default: the working directory). */
  readonly cwd?: string;
}

/** The executable file `command` names, found the way a shell would; undefined when there is none. */
export function which(command: string, options: WhichOptions = {}): string | undefined {
  if (bun)
    return (
      bun.which(command, { PATH: options.PATH ?? process.env.PATH ?? "", cwd: options.cwd ?? process.cwd() }) ??
      undefined
    );
  return searchPath(command, options);
}

/** `which` written with node:fs, for runtimes without Bun's (exported for the test that compares both). */
export function searchPath(command: string, options: WhichOptions = {}): string | undefined {
  if (command === "") return undefined;
  const cwd = options.cwd ?? process.cwd();
  const candidates = command.includes("/")
    ? [resolve(cwd, command)]
    : (options.PATH ?? process.env.PATH ?? "")
        .split(delimiter)
        .filter((dir) => dir !== "")
        .map((dir) => join(resolve(cwd, dir), command));
  return candidates.find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
