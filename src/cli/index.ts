import { Command, CommanderError, Option } from "commander";
import { ConfigError, HangarError, messageOf, UsageError } from "../errors.ts";
import { InvalidBatchError } from "../gateway/index.ts";
import { LOG_LEVELS } from "../observability/log.ts";
import { VERSION } from "../version.ts";
import { registerBench } from "./commands/bench.ts";
import { registerCall } from "./commands/call.ts";
import { registerCompletion } from "./commands/completion.ts";
import { registerDemoProvider } from "./commands/demo-provider.ts";
import { registerDoctor } from "./commands/doctor.ts";
import { registerInit } from "./commands/init.ts";
import { registerServe } from "./commands/serve.ts";
import { ignoreStdoutEpipe, StdoutClosedError } from "./write-out.ts";

/** Exit codes (docs/contract.md): 0 success, 1 a call or check failed, 2 usage or config error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Builds the command tree; `run` receives each command's work and records its exit code. */
export function buildProgram(run: (work: () => Promise<number>) => void): Command {
  const program = new Command("hangar")
    .description("Call tools on many MCP servers in parallel, in one call, while Hangar runs the servers for you")
    .version(VERSION, "-V, --version", "print the version")
    .option(
      "-c, --config <path>",
      "config file (default: $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml; none: demo providers)",
    )
    .option("-v, --verbose", "log more, to stderr")
    .addOption(new Option("--log-level <level>", "log level (default warn; $HANGAR_LOG_LEVEL)").choices(LOG_LEVELS))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerServe(program, run);
  registerCall(program, run);
  registerDemoProvider(program, run);
  registerBench(program, run);
  registerDoctor(program, run);
  registerInit(program, run);
  registerCompletion(program, run);
  program.addHelpText("after", "\nRun `hangar help <command>` for a command's options. Docs: README.md and docs/.");
  return program;
}

/** Runs the CLI with `argv` (without the executable) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  ignoreStdoutEpipe();
  let work: (() => Promise<number>) | undefined;
  const program = buildProgram((w) => (work = w));
  try {
    await program.parseAsync([...argv], { from: "user" });
    if (work === undefined) return EXIT.ok;
    return await work();
  } catch (error) {
    return reportError(error, argv.includes("--verbose") || argv.includes("-v"));
  }
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
