/** How `hangar bench` prints its report: a header, a table of p50/p95/p99, wall time and speedup, notes. */
import type { BenchReport, RunFigures } from "../bench/index.ts";
import { palette } from "./output.ts";

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const pct = (rate: number) => `${(rate * 100).toFixed(rate === 1 ? 0 : 1)}%`;

/** One table row: scenario, calls, success, p50, p95, p99 (ms), wall time, and a last free column. */
function row(name: string, figures: RunFigures, wall: boolean, last = ""): string {
  const l = figures.latency_ms;
  const cells = [
    name.padEnd(38),
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
  const source = report.config === "demo" ? "the built-in demo providers" : report.config;
  const targets = report.targets.map((t) => `${t.provider}/${t.tool} ${JSON.stringify(t.arguments)}`).join(", ");
  const out = [
    `hangar bench — ${source}; ${calls} calls per batch, ${rounds} round${rounds === 1 ? "" : "s"}, ${concurrency} concurrent callers`,
    `calls: ${targets}`,
    ...report.skipped.map((s) => c.dim(`skipped "${s.provider}": ${s.reason}`)),
    "",
    c.bold(
      `${"scenario".padEnd(38)} ${"calls".padStart(6)} ${"ok".padStart(7)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"wall".padStart(10)}   speedup / notes`,
    ),
  ];
  const fan = report.fan_out;
  out.push(row("fan-out, one call after another", fan.sequential, true));
  out.push(row("fan-out, one parallel batch", fan.parallel, true, c.bold(`${fan.speedup.toFixed(1)}× faster`)));
  const over = report.overhead;
  if ("skipped" in over) out.push(`${"overhead".padEnd(38)} ${c.dim(`n/a: ${over.skipped}`)}`);
  else {
    const label = `${over.target.provider}/${over.target.tool}`;
    out.push(row(`overhead, direct client (${label})`, over.direct, false));
    const a = over.added_ms;
    out.push(
      row("overhead, through hangar", over.hangar, false, `added p50 ${signed(a.p50)}, p99 ${signed(a.p99)} ms`),
    );
  }
  const cold = report.cold_start;
  const starts = cold.starts === 1 ? c.green("1 start") : c.red(`${cold.starts} starts`);
  out.push(row(`cold start, ${cold.callers} callers to "${cold.provider}"`, cold, true, starts));
  const cc = report.concurrent_clients;
  out.push(
    row(
      `concurrent clients, ${cc.clients} × ${cc.calls_per_client} calls`,
      cc,
      true,
      `${cc.calls_per_s.toFixed(0)} calls/s`,
    ),
  );
  out.push("");
  for (const note of report.notes) out.push(c.dim(`note: ${note}`));
  out.push(
    report.ok
      ? c.green("Every call succeeded.")
      : c.red("Some calls failed; run `hangar doctor`, or `hangar call` the tool to see why."),
  );
  out.push(c.dim("Wall: the median round. Latency: from sending a call to its result, waiting for a permit included."));
  return `${out.join("\n")}\n`;
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(3)}`;
}
