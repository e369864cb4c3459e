import { readFile } from "node:fs/promises";
import type { ResolvedConfig } from "../../config/index.ts";
import { UsageError } from "../../errors.ts";
import type { BatchInput } from "../../lib/types.ts";
import { traceContextFromEnv } from "../../observability/otel-env.ts";
import type { Spawner } from "../../providers/spawner.ts";
import { readStdinText } from "../../runtime/index.ts";
import { loadCommandConfig } from "../command-config.ts";
import type { GlobalOptions } from "../context.ts";
import { EarlySpawns } from "../early-spawns.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { formatRow, formatSummary, rowLayout, useColor } from "../output.ts";
import { saveCatalogs } from "../save-catalogs.ts";
import { StartProgress } from "../start-progress.ts";
import { writeOut } from "../write-out.ts";

export interface CallOptions {
  json?: boolean;
  ndjson?: boolean;
}

/** Reads the batch from a file or stdin (`-`); a bare array of calls is taken as `{calls: [...]}`. */
async function readBatch(file: string): Promise<unknown> {
  let text: string;
  try {
    text = file === "-" ? await readStdinText() : await readFile(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT") throw new UsageError(`Cannot read batch file "${file}": it does not exist`);
    throw new UsageError(`Cannot read batch file "${file}": ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const where = file === "-" ? "stdin" : `"${file}"`;
    throw new UsageError(`The batch in ${where} is not valid JSON: ${(error as Error).message}`);
  }
  return Array.isArray(parsed) ? { calls: parsed } : parsed;
}

/** The providers a batch names (whatever its other mistakes, which the gateway reports). */
function namedProviders(input: unknown): string[] {
  const calls = (input as { calls?: unknown } | null)?.calls;
  if (!Array.isArray(calls)) return [];
  return calls.flatMap((call) => {
    const provider = (call as { provider?: unknown } | null)?.provider;
    return typeof provider === "string" ? [provider] : [];
  });
}

/** `hangar call FILE|-`: runs one batch in-process and prints the results. Exit 0 only if every call succeeded. */
export async function runCall(file: string, options: CallOptions, global: GlobalOptions): Promise<number> {
  if (options.json && options.ndjson) throw new UsageError("Choose one of --json and --ndjson");
  const input = await readBatch(file);
  const config = await loadCommandConfig(global);
  // Signals stay handled until every provider is stopped: a second Ctrl-C cannot orphan one.
  const lifecycle = watchLifecycle();
  // The batch's providers start now and Hangar loads its gateway and the MCP SDK while they do (issue 11).
  const early = new EarlySpawns();
  try {
    early.start(config, namedProviders(input));
    return await callBatch(input, config, { spawner: early.spawner, signal: lifecycle.signal }, options, global);
  } finally {
    await early.close();
    lifecycle.dispose();
  }
}

async function callBatch(
  input: unknown,
  config: ResolvedConfig,
  { spawner, signal }: { spawner: Spawner; signal: AbortSignal },
  options: CallOptions,
  global: GlobalOptions,
): Promise<number> {
  // The gateway, the MCP SDK and the library's API: the bulk of what a call loads.
  const [{ Hangar }, { liveStderr, openContext }] = await Promise.all([
    import("../../lib/hangar.ts"),
    import("../context.ts"),
  ]);
  // On a terminal, a line per provider that is slow to start (an npx download), erased before each row.
  using progress = liveStderr(global) ? new StartProgress() : undefined;
  const { gateway, cache, logger } = await openContext(
    global,
    { spawner, ...(progress ? { recorder: progress.recorder } : {}) },
    { config },
  );
  progress?.watch(gateway.handles.values());
  // The library's API over the CLI's gateway (its config lookup, observability and pins): one path.
  const hangar = Hangar.over(gateway, logger);
  try {
    const batch = hangar.stream(input as BatchInput, {
      signal,
      ...traceContextFromEnv(process.env),
    });
    const color = useColor(process.stdout);
    // The batch parsed: its calls size the table's columns.
    const layout = rowLayout((input as BatchInput).calls);
    for await (const result of batch) {
      progress?.clear();
      if (options.ndjson) await writeOut(`${JSON.stringify(result)}\n`);
      else if (!options.json) await writeOut(`${formatRow(result, color, layout)}\n`);
    }
    progress?.[Symbol.dispose]();
    const summary = await batch.result();
    if (options.json) await writeOut(`${JSON.stringify(summary, null, 2)}\n`);
    else if (!options.ndjson) await writeOut(`${formatSummary(summary, color)}\n`);
    // What the providers listed as they started: a later `hangar serve` starts warm from it.
    saveCatalogs(gateway, cache, logger);
    return summary.ok ? 0 : 1;
  } finally {
    await hangar.close();
  }
}
