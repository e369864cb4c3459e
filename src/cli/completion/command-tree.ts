/**
 * The command tree as plain data, read from commander, so the shell completion scripts are generated
 * from the same definitions as the parser and cannot drift from it.
 */
import type { Command, Option } from "commander";

/** One option as a completion script needs it. */
export interface OptionSpec {
  /** `-c`, when the option has a short form. */
  readonly short: string | undefined;
  /** `--config`, when the option has a long form. */
  readonly long: string | undefined;
  readonly description: string;
  /** The option takes a value (`--config <path>`). */
  readonly takesValue: boolean;
  /** The values it accepts, when they are a fixed list (`--log-level`). */
  readonly choices: readonly string[];
  /** Its value is a file name (`<path>`, `<file>` or `<dir>` in its flags), so the shell completes files. */
  readonly file: boolean;
}

/** One subcommand: its name, description, options and the values of its first argument, if fixed. */
export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Fixed values of the first argument (`completion bash|zsh|fish`, `help <command>`). */
  readonly argumentChoices: readonly string[];
  /** The first argument is a file path (`call FILE`). */
  readonly takesFile: boolean;
}

/** The whole tree: the program's own (global) options and its subcommands, `help` included. */
export interface ProgramSpec {
  readonly name: string;
  readonly options: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
}

const HELP: OptionSpec = {
  short: "-h",
  long: "--help",
  description: "show help",
  takesValue: false,
  choices: [],
  file: false,
};

/** Reads `program` (built by `buildProgram`) into a `ProgramSpec`. */
export function describeProgram(program: Command): ProgramSpec {
  const commands: CommandSpec[] = program.commands.map((command) => {
    const [first] = command.registeredArguments;
    return {
      name: command.name(),
      description: command.description(),
      options: [...optionsOf(command), HELP],
      argumentChoices: first?.argChoices ?? [],
      takesFile: first !== undefined && first.argChoices === undefined,
    };
  });
  const names = commands.map((command) => command.name);
  commands.push({
    name: "help",
    description: "show help for a command",
    options: [],
    argumentChoices: names,
    takesFile: false,
  });
  return { name: program.name(), options: [...optionsOf(program), HELP], commands };
}

function optionsOf(command: Command): OptionSpec[] {
  return command.options
    .filter((option: Option) => !option.hidden)
    .map((option: Option) => ({
      short: option.short,
      long: option.long,
      description: option.description,
      takesValue: option.required || option.optional,
      choices: option.argChoices ?? [],
      file: /<(path|file|dir)>/.test(option.flags),
    }));
}

/** Text safe inside single quotes in any of the three shells (a quote becomes a right single quote). */
export function quoteSafe(text: string): string {
  return text.replace(/'/g, "’").replace(/\s+/g, " ").trim();
}
