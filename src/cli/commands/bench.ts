import { runBench, runHeadline } from "../../bench/index.ts";
import { UsageError } from "../../errors.ts";
import { Hangar } from "../../lib/hangar.ts";
import { formatBenchReport, formatHeadlineReport } from "../bench-output.ts";
import { type GlobalOptions, openContext } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { useColor } from "../output.ts";
import { writeOut } from "../write-out.ts";

export interface BenchCommandOptions {
  providers?: string[];
  tool?: string[];
  args?: string;
  calls: number;
  rounds: number;
  concurrency: number;
  json?: boolean;
  headline?: boolean;
}

/** `hangar bench`: runs the scenarios and prints the table (or JSON); exit 1 when a call failed. */
export async function runBenchCommand(options: BenchCommandOptions, global: GlobalOptions): Promise<number> {
  const args = parseArgs(options.args);
  const { gateway, logger } = await openContext(global);
  // The library's API over the CLI's gateway: bench measures the path `call` and `serve` take.
  const hangar = Hangar.over(gateway, logger);
  const lifecycle = watchLifecycle();
  const progress = Boolean(process.stderr.isTTY);
  try {
    if (options.headline) {
      const report = await runHeadline(hangar, {
        signal: lifecycle.signal,
        ...(options.providers ? { providers: options.providers } : {}),
        ...(options.tool ? { tools: options.tool } : {}),
        ...(args ? { args } : {}),
      });
      await writeOut(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatHeadlineReport(report, useColor(process.stdout)),
      );
      return report.ok ? 0 : 1;
    }
    const report = await runBench(hangar, {
      calls: options.calls,
      rounds: options.rounds,
      concurrency: options.concurrency,
      signal: lifecycle.signal,
      ...(options.providers ? { providers: options.providers } : {}),
      ...(options.tool ? { tools: options.tool } : {}),
      ...(args ? { args } : {}),
      ...(progress
        ? {
            progress: (scenario: string, done: number, total: number) =>
              void process.stderr.write(`\rbench: ${scenario} ${done}/${total}\x1b[K`),
          }
        : {}),
    });
    if (progress) process.stderr.write("\r\x1b[K");
    await writeOut(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : formatBenchReport(report, useColor(process.stdout)),
    );
    return report.ok ? 0 : 1;
  } finally {
    // Signals stay handled until every provider is stopped: a second Ctrl-C cannot orphan one.
    await hangar.close();
    lifecycle.dispose();
  }
}

function parseArgs(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--args is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError('--args must be a JSON object, like \'{"query":"mcp"}\'');
  return parsed as Record<string, unknown>;
}
