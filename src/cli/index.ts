import { type Command, CommanderError } from "commander";
import { ConfigError, HangarError, InvalidBatchError, messageOf, UsageError } from "../errors.ts";
import { buildProgram } from "./program.ts";
import { ignoreStdoutEpipe, StdoutClosedError } from "./write-out.ts";

export { buildProgram } from "./program.ts";

/** Exit codes (docs/contract.md): 0 success, 1 a call or check failed, 2 usage or config error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Runs the CLI with `argv` (without the executable) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  ignoreStdoutEpipe();
  let work: (() => Promise<number>) | undefined;
  const program = buildProgram((w) => (work = w));
  try {
    await program.parseAsync(helpOfNoCommand(program, argv) ? argv.slice(1) : [...argv], { from: "user" });
    if (work === undefined) return EXIT.ok;
    return await work();
  } catch (error) {
    return reportError(error, argv.includes("--verbose") || argv.includes("-v"));
  }
}

/**
 * Whether `argv` is `help <name>` for a name no command has. Commander would print the whole help as an
 * error without saying why; parsed as `<name>` it says "unknown command" with the closest command, as
 * `hangar <name>` does.
 */
function helpOfNoCommand(program: Command, argv: readonly string[]): boolean {
  const name = argv[1];
  if (argv[0] !== "help" || name === undefined || name.startsWith("-")) return false;
  return !program.commands.some((command) => command.name() === name || command.aliases().includes(name));
}

/** Prints one clear sentence for a failure and picks its exit code; a stack trace only with --verbose. */
function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message (or the help / version).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof StdoutClosedError) return EXIT.failed;
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof InvalidBatchError) {
    process.stderr.write(`hangar: ${error.message}\n`);
    return EXIT.usage;
  }
  const message = error instanceof HangarError ? error.message : `unexpected error: ${messageOf(error)}`;
  process.stderr.write(`hangar: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT.failed;
}
