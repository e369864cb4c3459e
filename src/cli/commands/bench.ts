import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { runBench } from "../../bench/index.ts";
import { UsageError } from "../../errors.ts";
import { formatBenchReport } from "../bench-output.ts";
import { type GlobalOptions, openContext } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { useColor } from "../output.ts";
import { writeOut } from "../write-out.ts";

interface BenchCommandOptions {
  providers?: string[];
  tool?: string[];
  args?: string;
  calls: number;
  rounds: number;
  concurrency: number;
  json?: boolean;
}

/** `hangar bench`: runs the scenarios and prints the table (or JSON); exit 1 when a call failed. */
export async function runBenchCommand(options: BenchCommandOptions, global: GlobalOptions): Promise<number> {
  const args = parseArgs(options.args);
  const { gateway } = await openContext(global);
  const lifecycle = watchLifecycle();
  const progress = Boolean(process.stderr.isTTY);
  try {
    const report = await runBench(gateway, {
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
    await gateway.close();
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

/** A whole number from `min` up, for commander. */
function wholeNumber(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number ≥ ${min}`);
    return n;
  };
}

const list = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

/** Registers `hangar bench` on the program. */
export function registerBench(program: Command, run: (work: () => Promise<number>) => void): void {
  program
    .command("bench")
    .description("Measure the providers: sequential vs parallel, added latency, cold start, concurrent clients")
    .option("--providers <ids>", "only these providers, comma-separated (default: all)", list)
    .option("--tool <name>", "call this tool (`tool` or `provider/tool`; repeatable), even one that may write", list)
    .option("--args <json>", "arguments for the --tool tools (default: from each tool's schema)")
    .option("--calls <n>", "calls per batch", wholeNumber(1), 20)
    .option("--rounds <n>", "rounds of each scenario", wholeNumber(1), 3)
    .option("--concurrency <n>", "concurrent callers (cold start, concurrent clients)", wholeNumber(1), 10)
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      `
Without --tool, bench calls one tool per provider that is annotated read-only (readOnlyHint) and whose
arguments its schema gives (default, examples, enum); it never calls a tool that may write unless you
name it. On the built-in demo providers it calls sleep {"ms":50}, and echo for the overhead.

Scenarios: fan-out (the batch one call after another, then in parallel), overhead (a direct MCP client
vs the same call through hangar), cold start (concurrent callers to a stopped provider: it must start
once), concurrent clients. Progress goes to stderr on a terminal. Exit 1 when a call failed.`,
    )
    .action((options: BenchCommandOptions, command: Command) =>
      run(() => runBenchCommand(options, command.optsWithGlobals<GlobalOptions>())),
    );
}
