/**
 * The client entry that starts `hangar serve`, and how to recognise one in a client's config.
 */
import * as nodePath from "node:path";
import type { McpServerEntry } from "./read-client-config.ts";

/** An `mcpServers` entry that runs a program. */
export interface CommandEntry {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The entry that starts `hangar serve`: `self` is how to run this hangar (its absolute path when
 * compiled); `configPath`, when given, is passed with `--config` (a client does not start hangar in the
 * directory of a project's `./hangar.yaml`).
 */
export function hangarEntry(self: readonly string[], configPath?: string): CommandEntry {
  const [command = "hangar", ...rest] = self;
  const config = configPath === undefined ? [] : ["--config", configPath];
  return { command, args: [...rest, ...config, "serve"] };
}

/** `word` as one word of a POSIX shell command line (quoted only when it needs to be). */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `claude mcp add` line that adds `entry` to Claude Code (user scope). */
export function claudeMcpAddLine(entry: CommandEntry): string {
  return `claude mcp add --scope user hangar -- ${[entry.command, ...entry.args].map(shellWord).join(" ")}`;
}

/** True when `entry` runs a program called hangar with the `serve` command. */
export function startsHangar(entry: McpServerEntry): boolean {
  if (typeof entry.command !== "string") return false;
  const program = nodePath.basename(entry.command).replace(/\.exe$/i, "");
  const args = Array.isArray(entry.args) ? entry.args : [];
  if (program === "hangar") return args.includes("serve");
  // A development checkout: `bun …/src/main.ts serve`.
  return (
    args.some((arg) => typeof arg === "string" && /hangar.*main\.ts$|src\/main\.ts$/.test(arg)) &&
    args.includes("serve")
  );
}
