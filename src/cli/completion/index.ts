/** Shell completion scripts for bash, zsh and fish, generated from the commander command tree. */
import type { Command } from "commander";
import { bashScript } from "./bash.ts";
import { describeProgram } from "./command-tree.ts";
import { fishScript } from "./fish.ts";
import { zshScript } from "./zsh.ts";

export { type CommandSpec, describeProgram, type OptionSpec, type ProgramSpec } from "./command-tree.ts";

/** The shells `hangar completion` writes scripts for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;
/** One of `SHELLS`. */
export type Shell = (typeof SHELLS)[number];

/** The completion script of `shell` for `program`. */
export function completionScript(program: Command, shell: Shell): string {
  const spec = describeProgram(program);
  switch (shell) {
    case "bash":
      return bashScript(spec);
    case "zsh":
      return zshScript(spec);
    case "fish":
      return fishScript(spec);
  }
}
