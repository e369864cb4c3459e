import { runDoctor } from "../../doctor/index.ts";
import { selfCommand } from "../../self-command.ts";
import type { GlobalOptions } from "../context.ts";
import { formatDoctorReport } from "../doctor-output.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { useColor } from "../output.ts";
import { writeOut } from "../write-out.ts";

export interface DoctorCommandOptions {
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
