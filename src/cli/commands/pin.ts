import { loadConfig } from "../../config/index.ts";
import { messageOf, UsageError } from "../../errors.ts";
import { closest } from "../../gateway/closest.ts";
import { Gateway } from "../../gateway/index.ts";
import { createLogger, silentLogger } from "../../observability/log.ts";
import { openPins, type PinChange } from "../../pinning/index.ts";
import { selfCommand } from "../../self-command.ts";
import { pinningStatus } from "../../serve/pinning-status.ts";
import { type GlobalOptions, logLevel } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { formatPinReport, type PinReport } from "../pin-output.ts";
import { writeOut } from "../write-out.ts";

/** Options of `hangar pin`. */
export interface PinOptions {
  all?: boolean;
  json?: boolean;
}

/**
 * `hangar pin [provider[/tool]…] [--all]`: lists every provider, shows how its tools and prompts differ
 * from the lock file, and approves the ones named (or all). Exit 0 when nothing waits for approval
 * afterwards, 1 when a change still does, 2 for a usage or config error (a lock file it cannot write).
 */
export async function runPin(targets: readonly string[], options: PinOptions, global: GlobalOptions): Promise<number> {
  if (options.all && targets.length > 0) throw new UsageError("Give --all or provider/tool names, not both");
  const config = await loadConfig({ ...(global.config ? { path: global.config } : {}), selfCommand: selfCommand() });
  if (config.source.kind === "demo")
    throw new UsageError("No config found: `hangar pin` works on a config file's providers (see `hangar init`)");
  const ids = config.providers.map((p) => p.id);
  const wanted = targets.map((target) => parseTarget(target, ids));
  // Pinning is applied whatever the config's mode, so that a lock can be made before turning it on.
  const pins = openPins(config.pinning === "off" ? { ...config, pinning: "warn" } : config, {
    logger: silentLogger,
    reloadMs: 0,
  })!;
  const logger = createLogger({ level: logLevel(global) });
  const lifecycle = watchLifecycle();
  const gateway = new Gateway(config, { logger, pins });
  try {
    // Named targets start only their providers; otherwise every provider is listed.
    const listed = wanted.length === 0 ? ids : ids.filter((id) => wanted.some((target) => target.provider === id));
    const unrecorded = listed.filter((id) => !pins.recorded(id));
    const failures = await gateway.startAll({ signal: lifecycle.signal, only: (h) => listed.includes(h.config.id) });
    const found = pinningStatus(pins).changes;
    for (const target of wanted) {
      if (!found.some((c) => matches(target, c)))
        throw new UsageError(
          `Nothing to approve for "${target.text}": ${whyNothing(target, failures.has(target.provider), pins.listedNames(target.provider))}` +
            (found.length > 0 ? ` (changes: ${found.map((c) => `${c.provider}/${c.name}`).join(", ")})` : ""),
        );
    }
    const approved =
      options.all || wanted.length > 0
        ? pins.approve((c) => options.all === true || wanted.some((target) => matches(target, c)))
        : [];
    const isApproved = (c: { provider: string; kind: string; name: string }) =>
      approved.some((a) => a.provider === c.provider && a.kind === c.kind && a.name === c.name);
    const report: PinReport = {
      lock_file: pins.lockPath,
      mode: config.pinning,
      recorded: unrecorded.filter((id) => pins.recorded(id) && !failures.has(id)),
      changes: found.map((c) => ({ ...c, approved: isApproved(c) })),
      failed: Object.fromEntries([...failures].map(([id, error]) => [id, messageOf(error)])),
    };
    await writeOut(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatPinReport(report));
    return report.changes.every((c) => c.approved) ? 0 : 1;
  } finally {
    await gateway.close();
    lifecycle.dispose();
  }
}

/** A `provider` or `provider/tool` argument. */
interface Target {
  readonly text: string;
  readonly provider: string;
  readonly name: string | undefined;
}

function parseTarget(text: string, ids: readonly string[]): Target {
  const slash = text.indexOf("/");
  const provider = slash === -1 ? text : text.slice(0, slash);
  const name = slash === -1 ? undefined : text.slice(slash + 1);
  if (!ids.includes(provider)) {
    const guess = closest(provider, ids);
    throw new UsageError(
      `Unknown provider "${provider}" in "${text}".${guess ? ` Did you mean "${guess}"?` : ` Known providers: ${ids.join(", ") || "none"}.`}`,
    );
  }
  if (name === "") throw new UsageError(`"${text}" names no tool: give provider/tool, or the provider alone`);
  return { text, provider, name };
}

/**
 * Why a named target matches no change: its provider could not be listed, the provider has no tool or
 * prompt of that name (a typo, with the closest name suggested), or it is listed as the lock pins it.
 */
function whyNothing(target: Target, failed: boolean, listed: readonly string[] | undefined): string {
  if (failed) return `provider "${target.provider}" could not be listed`;
  if (target.name === undefined || listed === undefined || listed.includes(target.name))
    return "it matches the lock file";
  const guess = closest(target.name, listed);
  return (
    `provider "${target.provider}" has no tool or prompt "${target.name}".` +
    (guess ? ` Did you mean "${target.provider}/${guess}"?` : ` Its tools and prompts: ${listed.join(", ") || "none"}.`)
  );
}

function matches(target: Target, change: Pick<PinChange, "provider" | "name">): boolean {
  return target.provider === change.provider && (target.name === undefined || target.name === change.name);
}
