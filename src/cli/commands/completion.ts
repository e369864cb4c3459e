import { Argument, type Command } from "commander";
import { completionScript, SHELLS, type Shell } from "../completion/index.ts";
import { writeOut } from "../write-out.ts";

/** Registers `hangar completion bash|zsh|fish`, which prints a completion script for that shell. */
export function registerCompletion(program: Command, run: (work: () => Promise<number>) => void): void {
  program
    .command("completion")
    .addArgument(new Argument("<shell>", "the shell to write the script for").choices(SHELLS))
    .description("Print a shell completion script (bash, zsh or fish)")
    .addHelpText(
      "after",
      `
Load it in the current shell, or install it for good:
  bash:  source <(hangar completion bash)    or  hangar completion bash > ~/.local/share/bash-completion/completions/hangar
  zsh:   source <(hangar completion zsh)     or  hangar completion zsh > "\${fpath[1]}/_hangar"
  fish:  hangar completion fish | source     or  hangar completion fish > ~/.config/fish/completions/hangar.fish`,
    )
    .action((shell: Shell) =>
      run(async () => {
        await writeOut(completionScript(program, shell));
        return 0;
      }),
    );
}
