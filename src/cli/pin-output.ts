/** How `hangar pin` prints the changes it found and what it approved. */
import type { PinChangeStatus } from "../serve/pinning-status.ts";

/** What one `hangar pin` run found and did; `--json` prints it as it is. */
export interface PinReport {
  lock_file: string | undefined;
  mode: string;
  /** Providers listed for the first time in this run: trusted and recorded (TOFU). */
  recorded: string[];
  /** Every change found, each marked whether this run approved it. */
  changes: (PinChangeStatus & { approved: boolean })[];
  /** Providers that could not be listed, with why. */
  failed: Record<string, string>;
}

/** The report as text: one heading per change with its diff beneath, then what to do next. */
export function formatPinReport(report: PinReport): string {
  const out = [`Lock file: ${report.lock_file ?? "none"} (pinning: ${report.mode})`];
  if (report.recorded.length > 0)
    out.push(`First listing recorded (trusted on first use): ${report.recorded.join(", ")}`);
  for (const [id, why] of Object.entries(report.failed)) out.push(`Cannot list provider "${id}": ${why}`);
  for (const change of report.changes) {
    const what = change.change === "added" ? "added" : `changed (${change.fields.join(", ")})`;
    const state = change.approved ? "approved" : change.withheld ? "withheld until approved" : "served (pinning: warn)";
    out.push("", `${change.provider}/${change.name}: ${change.kind} ${what}; ${state}`);
    for (const line of change.diff.split("\n")) out.push(`    ${line}`);
  }
  const approved = report.changes.filter((c) => c.approved);
  const waiting = report.changes.length - approved.length;
  out.push("");
  if (approved.length > 0)
    out.push(`Approved ${approved.length}: ${approved.map((c) => `${c.provider}/${c.name}`).join(", ")}.`);
  if (waiting > 0)
    out.push(
      `${waiting} change${waiting === 1 ? "" : "s"} wait${waiting === 1 ? "s" : ""} for approval: ` +
        "`hangar pin --all` approves every one, `hangar pin <provider>/<tool>` one.",
    );
  else if (approved.length === 0) out.push("Every listed definition matches the lock file.");
  return `${out.join("\n")}\n`;
}
