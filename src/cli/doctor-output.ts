/** How `hangar doctor` prints its report on a terminal: sections, one line per check, fixes beneath. */
import type { Check, CheckStatus, DoctorReport } from "../doctor/index.ts";
import { palette } from "./output.ts";

const LABEL: Record<CheckStatus, string> = { ok: "ok", info: "info", warn: "warn", fail: "FAIL", skip: "skip" };

/** The heading of the group a check belongs to. */
function heading(item: Check): string {
  if (item.section === "config") return item.subject === "config" ? "Config" : `Config of provider "${item.subject}"`;
  if (item.section === "provider") return `Provider "${item.subject}"`;
  return "MCP clients";
}

/** The whole report as text; a fix and detail (stderr, problems) are indented under their check. */
export function formatDoctorReport(report: DoctorReport, color: boolean): string {
  const c = palette(color);
  const paint: Record<CheckStatus, (text: string) => string> = {
    ok: c.green,
    info: c.dim,
    warn: c.bold,
    fail: c.red,
    skip: c.dim,
  };
  const out: string[] = [];
  const width = Math.min(24, Math.max(...report.checks.map((item) => nameOf(item).length)));
  let current = "";
  for (const item of report.checks) {
    const group = heading(item);
    if (group !== current) {
      out.push(current === "" ? c.bold(group) : `\n${c.bold(group)}`);
      current = group;
    }
    out.push(`  ${paint[item.status](LABEL[item.status].padEnd(4))}  ${nameOf(item).padEnd(width)} ${item.message}`);
    if (item.detail !== undefined) {
      const label = item.name === "start" ? "stderr:" : "";
      if (label) out.push(`        ${c.dim(label)}`);
      for (const line of item.detail.split("\n")) out.push(`          ${c.dim(line)}`);
    }
    if (item.fix !== undefined && (item.status === "fail" || item.status === "warn" || item.status === "info")) {
      out.push(`        ${c.dim("fix:")} ${item.fix}`);
    }
  }
  out.push("", summaryLine(report, color));
  return `${out.join("\n")}\n`;
}

/** The name shown for a check: the client's label, else which check it is. */
function nameOf(item: Check): string {
  return item.section === "client" ? item.subject : item.name;
}

/** The last line: all good, or how many checks failed and warned. */
function summaryLine(report: DoctorReport, color: boolean): string {
  const c = palette(color);
  const { ok, warn, fail } = report.counts;
  const passed = `${ok} check${ok === 1 ? "" : "s"} passed, ${warn} warning${warn === 1 ? "" : "s"}`;
  if (fail === 0) return c.green(`No problems found (${passed}).`);
  return c.red(`${fail} problem${fail === 1 ? "" : "s"} found (${passed}); each FAIL line says how to fix it.`);
}
