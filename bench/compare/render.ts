// Turning the comparison's results into Markdown tables (kept in bench/README.md between two markers, so
// a new run replaces the old figures) and an SVG bar chart of the batch wall times.
import { readFile, writeFile } from "node:fs/promises";
import type { LatencyStats } from "../../src/bench/index.ts";

/** What bench/compare.ts measured (its `results` object). */
export interface Results {
  machine: { cores: number; platform: string; bun: string; node: string; date: string };
  settings: { providers: number; latency_ms: number; overhead_calls: number; batches: number[]; cold_callers: number };
  overhead: Record<string, LatencyStats>;
  batches: Record<string, Record<string, number | null>>;
  cold_start: Record<
    string,
    { connect_ms: number; calls_ms: number; total_ms: number; starts: number; succeeded: number }
  >;
  memory: Record<
    string,
    { gateway_1_mib: number; gateway_10_mib: number; gateway_per_provider_mib: number; provider_process_mib: number }
  >;
}

const START = "<!-- compare:start -->";
const END = "<!-- compare:end -->";
const f = (n: number, digits = 1) => n.toFixed(digits);
const cell = (n: number | null | undefined) =>
  n === null || n === undefined ? "N/A (no batching)" : `${Math.round(n)}`;

/** The Markdown section with every table. */
export function renderMarkdown(r: Results): string {
  const m = r.machine;
  const s = r.settings;
  const out = [
    `${m.date}, ${m.cores} cores, ${m.platform}, Bun ${m.bun}, Node ${m.node}, \`bun run bench/compare.ts\`. Every system runs the`,
    "same demo provider processes (`hangar demo-provider`) and is driven by the MCP TypeScript SDK client: hangar through",
    "`hangar serve` (stdio), mcp-hub through its `/mcp` endpoint (SSE), supergateway as one `--stateful` Streamable HTTP",
    "bridge per provider (its default, stateless mode, appears in the cold start only).",
    "",
    `**Added latency per call** — \`echo\`, one at a time, ${s.overhead_calls} calls each, interleaved in 10 rounds (ms):`,
    "",
    "| system | p50 | p95 | p99 | added p50 | added p99 |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  const direct = r.overhead.direct;
  for (const [kind, l] of Object.entries(r.overhead)) {
    const added = (key: "p50" | "p99") =>
      kind === "direct" || !direct ? "—" : `${l[key] - direct[key] >= 0 ? "+" : ""}${f(l[key] - direct[key], 3)}`;
    out.push(`| ${kind} | ${f(l.p50, 3)} | ${f(l.p95, 3)} | ${f(l.p99, 3)} | ${added("p50")} | ${added("p99")} |`);
  }
  out.push(
    "",
    `**Batch wall time** — N × \`sleep ${s.latency_ms} ms\` over ${s.providers} providers (ms; "at once" and "batch" are the best of 3):`,
    "",
    `| system, how the client sends the calls | ${s.batches.map((n) => `N=${n}`).join(" | ")} |`,
    `| --- | ${s.batches.map(() => "---:").join(" | ")} |`,
  );
  for (const [row, values] of Object.entries(r.batches)) {
    if (Object.values(values).every((v) => v === null)) continue;
    out.push(`| ${row} | ${s.batches.map((n) => cell(values[n])).join(" | ")} |`);
  }
  out.push(
    "",
    `**Cold start** — a fresh gateway, then ${s.cold_callers} concurrent \`echo\` calls on one connection to a provider not yet called:`,
    "",
    "| system | launch → connected (ms) | calls (ms) | total (ms) | provider processes started | calls ok |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const [kind, c] of Object.entries(r.cold_start)) {
    out.push(
      `| ${kind} | ${f(c.connect_ms, 0)} | ${f(c.calls_ms, 0)} | ${f(c.total_ms, 0)} | ${c.starts} | ${c.succeeded}/${s.cold_callers} |`,
    );
  }
  out.push(
    "",
    "**Memory per idle provider** — resident memory after each provider answered one call and sat idle 1.5 s (MiB):",
    "",
    "| system | gateway, 1 provider | gateway, 10 providers | gateway per provider | a provider process | per idle provider, total |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const [kind, mem] of Object.entries(r.memory)) {
    const gw = (n: number) => (kind === "direct" ? "—" : f(n));
    out.push(
      `| ${kind} | ${gw(mem.gateway_1_mib)} | ${gw(mem.gateway_10_mib)} | ${gw(mem.gateway_per_provider_mib)} | ${f(mem.provider_process_mib)} | ${f(mem.gateway_per_provider_mib + mem.provider_process_mib)} |`,
    );
  }
  out.push("", "![Batch wall time, N=50](compare.svg)");
  return out.join("\n");
}

/** A horizontal bar chart (log scale) of the wall time of N=50 calls, one bar per way of sending them. */
export function renderSvg(r: Results): string {
  const n = r.settings.batches.includes(50) ? 50 : r.settings.batches.at(-1)!;
  const bars = Object.entries(r.batches)
    .map(([label, values]) => ({ label, ms: values[n] }))
    .filter((bar): bar is { label: string; ms: number } => typeof bar.ms === "number");
  const left = 300;
  const width = 820;
  const rowH = 26;
  const max = Math.max(...bars.map((b) => b.ms));
  const scale = (ms: number) =>
    ((Math.log10(Math.max(ms, 10)) - 1) / (Math.log10(max * 1.2) - 1)) * (width - left - 90);
  const rows = bars.map((bar, i) => {
    const y = 40 + i * rowH;
    const color = bar.label.startsWith("hangar") ? "#2f7d32" : bar.label.startsWith("direct") ? "#777" : "#3b6ea8";
    return `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text><rect x="${left}" y="${y + 3}" width="${scale(bar.ms).toFixed(1)}" height="${rowH - 8}" fill="${color}"/><text x="${(left + scale(bar.ms) + 6).toFixed(1)}" y="${y + 15}">${Math.round(bar.ms)} ms</text>`;
  });
  const height = 60 + bars.length * rowH;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" font-size="14" font-weight="bold">${n} calls of sleep ${r.settings.latency_ms} ms over ${r.settings.providers} providers: wall time (log scale; shorter is better)</text>
${rows.join("\n")}
</svg>
`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Replaces the section between the markers in README.md (or appends it), and writes the chart. */
export async function writeResults(readme: string, markdown: string, svgPath: string, svg: string): Promise<void> {
  const text = await readFile(readme, "utf8");
  const section = `${START}\n${markdown}\n${END}`;
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + section + text.slice(end + END.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  await writeFile(readme, next);
  await writeFile(svgPath, svg);
}
