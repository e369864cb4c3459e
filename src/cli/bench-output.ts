/** How `hangar bench` prints its report: a header, a table of p50/p95/p99, wall time and speedup, notes. */
import type { BenchFailure, BenchReport, HeadlineReport, RunFigures } from "../bench/index.ts";
import { fit, palette } from "./output.ts";

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const pct = (rate: number) => `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`;

/** The scenario column: at least 38 wide, wider for long provider or tool names, at most 72 (then cut with …). */
const NAME_MIN = 38;
const NAME_MAX = 72;

/** One table row: scenario, calls, success, p50, p95, p99 (ms), wall time, and a last free column. */
function row(width: number, name: string, figures: RunFigures, wall: boolean, last = ""): string {
  const l = figures.latency_ms;
  const cells = [
    fit(name, width),
    String(figures.calls).padStart(6),
    pct(figures.success_rate).padStart(7),
    ms(l.p50).padStart(8),
    ms(l.p95).padStart(8),
    ms(l.p99).padStart(8),
    (wall ? `${ms(figures.wall_ms)} ms` : "").padStart(10),
  ];
  return `${cells.join(" ")}   ${last}`.trimEnd();
}

/** The whole report as text. */
export function formatBenchReport(report: BenchReport, color: boolean): string {
  const c = palette(color);
  const { calls, rounds, concurrency } = report.settings;
  const over = report.overhead;
  const cold = report.cold_start;
  const cc = report.concurrent_clients;
  const names = {
    direct: "skipped" in over ? "" : `overhead, direct client (${over.target.provider}/${over.target.tool})`,
    cold: `cold start, ${cold.callers} callers to "${cold.provider}"`,
    clients: `concurrent clients, ${cc.clients} × ${cc.calls_per_client} calls`,
  };
  const width = Math.min(NAME_MAX, Math.max(NAME_MIN, ...Object.values(names).map((name) => name.length)));
  const source = report.config === "demo" ? "the built-in demo providers" : report.config;
  const targets = report.targets.map((t) => `${t.provider}/${t.tool} ${JSON.stringify(t.arguments)}`).join(", ");
  const out = [
    `hangar bench — ${source}; ${calls} call${calls === 1 ? "" : "s"} per batch, ${rounds} round${rounds === 1 ? "" : "s"}, ${concurrency} concurrent callers`,
    `calls: ${targets}`,
    ...report.skipped.map((s) => c.dim(`skipped "${s.provider}": ${s.reason}`)),
    "",
    c.bold(
      `${"scenario".padEnd(width)} ${"calls".padStart(6)} ${"ok".padStart(7)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"wall".padStart(10)}   speedup / notes`,
    ),
  ];
  // A figure derived from failed calls (how fast errors come back) is no result: say so instead.
  const failed = c.red("n/a: calls failed");
  const fan = report.fan_out;
  out.push(row(width, "fan-out, one call after another", fan.sequential, true));
  const speedup = fan.speedup === null ? failed : c.bold(`${fan.speedup.toFixed(1)}× faster`);
  out.push(row(width, "fan-out, one parallel batch", fan.parallel, true, speedup));
  if ("skipped" in over) out.push(`${"overhead".padEnd(width)} ${c.dim(`n/a: ${over.skipped}`)}`);
  else {
    out.push(row(width, names.direct, over.direct, false));
    const a = over.added_ms;
    const added = a === null ? failed : `added p50 ${signed(a.p50)}, p99 ${signed(a.p99)} ms`;
    out.push(row(width, "overhead, through hangar", over.hangar, false, added));
  }
  const starts = cold.starts === 1 ? c.green("1 start") : c.red(`${cold.starts} starts`);
  out.push(row(width, names.cold, cold, true, starts));
  out.push(
    row(width, names.clients, cc, true, cc.calls_per_s === null ? failed : `${cc.calls_per_s.toFixed(0)} calls/s`),
  );
  out.push("");
  for (const note of report.notes) out.push(c.dim(`note: ${note}`));
  if (report.first_failure) out.push(c.red(failureLine(report.first_failure)));
  out.push(
    report.ok
      ? c.green("Every call succeeded.")
      : c.red("Some calls failed; run `hangar doctor`, or `hangar call` the tool to see why."),
  );
  out.push(c.dim("Wall: the median round. Latency: from sending a call to its result, waiting for a permit included."));
  return `${out.join("\n")}\n`;
}

/** The first failed call, once, so a failing run says why without a second command. */
function failureLine(failure: BenchFailure): string {
  return `First failure: ${failure.provider}/${failure.tool}: ${failure.type}: ${failure.message}`;
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(3)}`;
}

/** `hangar bench --headline` as text: the brief's table (scenario, sequential, hangar, speedup) with our figures. */
export function formatHeadlineReport(report: HeadlineReport, color: boolean): string {
  const c = palette(color);
  const source = report.config === "demo" ? "the built-in demo providers" : report.config;
  const targets = report.targets.map((t) => `${t.provider}/${t.tool} ${JSON.stringify(t.arguments)}`).join(", ");
  const width = Math.max(24, ...report.rows.map((r) => r.scenario.length));
  const wall = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`);
  const out = [
    `hangar bench --headline — ${source}`,
    `calls: ${targets}`,
    ...report.skipped.map((s) => c.dim(`skipped "${s.provider}": ${s.reason}`)),
    "",
    c.bold(
      `${"scenario".padEnd(width)} ${"sequential".padStart(11)} ${"hangar".padStart(10)} ${"speedup".padStart(8)} ${"ok".padStart(6)}`,
    ),
  ];
  for (const r of report.rows) {
    const starts = r.starts === undefined ? "" : `   ${r.starts} provider start${r.starts === 1 ? "" : "s"}`;
    // No speedup from failed calls: "n/a" in its column, as the ok column says why.
    const speedup = r.speedup === null ? "n/a" : `${r.speedup.toFixed(1)}×`;
    out.push(
      `${r.scenario.padEnd(width)} ${wall(r.sequential_ms).padStart(11)} ${wall(r.hangar_ms).padStart(10)} ${speedup.padStart(8)} ${pct(r.success_rate).padStart(6)}${starts}`,
    );
  }
  out.push("");
  out.push(
    c.dim(
      "Sequential: each call its own request, one after another (cold: the providers stopped first). Hangar: one batch, or all requests at once.",
    ),
  );
  if (report.first_failure) out.push(c.red(failureLine(report.first_failure)));
  out.push(report.ok ? c.green("Every call succeeded.") : c.red("Some calls failed; no speedup is shown for them."));
  return `${out.join("\n")}\n`;
}
