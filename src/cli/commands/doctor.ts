import type { Command } from "commander";
import { runDoctor } from "../../doctor/index.ts";
import { selfCommand } from "../../self-command.ts";
import type { GlobalOptions } from "../context.ts";
import { formatDoctorReport } from "../doctor-output.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { useColor } from "../output.ts";
import { writeOut } from "../write-out.ts";

interface DoctorCommandOptions {
  json?: boolean;
  clients?: boolean;
}

/** `hangar doctor`: checks the config, each provider and the MCP clients; exit 1 when a check fails. */
export async function runDoctorCommand(options: DoctorCommandOptions, global: GlobalOptions): Promise<number> {
  const lifecycle = watchLifecycle();
  const progress = !options.json && Boolean(process.stderr.isTTY);
  try {
    const report = await runDoctor({
      ...(global.config === undefined ? {} : { configPath: global.config }),
      selfCommand: selfCommand(),
      skipClients: options.clients === false,
      signal: lifecycle.signal,
      ...(progress
        ? {
            onProvider: (id: string, done: number, total: number) =>
              void process.stderr.write(`\rchecked ${done}/${total} providers (${id})\x1b[K`),
          }
        : {}),
    });
    if (progress) process.stderr.write("\r\x1b[K");
    await writeOut(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report, useColor(process.stdout)),
    );
    return report.ok ? 0 : 1;
  } finally {
    lifecycle.dispose();
  }
}

/** Registers `hangar doctor` on the program. */
export function registerDoctor(program: Command, run: (work: () => Promise<number>) => void): void {
  program
    .command("doctor")
    .description("Check the config, start each provider, and say how to fix what fails")
    .option("--json", "print the report as JSON")
    .option("--no-clients", "skip the Claude Code / Claude Desktop / Cursor config checks")
    .addHelpText(
      "after",
      `
Checks: where the config was found and that it parses (each problem with file:line:col), risky values;
for each provider its command on PATH / docker and its image / the URL's host, a real start
(initialize, tools/list) and a ping, with its stderr when it fails; the MCP client configs on this
machine and whether one starts hangar. Secrets (env, headers) are never printed.

Exit codes: 0 no check failed (warnings allowed), 1 a check failed — a broken config included, 2 the
command line itself is wrong.`,
    )
    .action((options: DoctorCommandOptions, command: Command) =>
      run(() => runDoctorCommand(options, command.optsWithGlobals<GlobalOptions>())),
    );
}
