// `hangar bench` end to end on the compiled binary: sane figures on the demo providers (parallel beats
// sequential, one start for the cold scenario, every call succeeds), the starter config measures tools
// that work, failures say why and yield no speedup, and it never calls a tool that may write unless that
// tool is named with --tool.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { demoProvidersYaml, hangarBinary, runHangar, sandbox } from "../helpers/e2e.ts";
import { fixture } from "../helpers/paths.ts";

const TIMEOUT_MS = 30_000;
const SMALL = ["--calls", "8", "--rounds", "1", "--concurrency", "6"];

/** A config with one provider running the writer fixture, which logs each `remove` to `log`. */
function writerYaml(log: string): string {
  return `providers:\n  - id: writer\n    command: ${JSON.stringify(fixture("writer-server.ts"))}\n    env: { WRITER_LOG: ${JSON.stringify(log)} }\n`;
}

describe("hangar bench", () => {
  test("Issue 11: --headline runs the brief's three scenarios on the demo providers and prints them as one table", async () => {
    using box = sandbox();
    const json = await runHangar(
      ["bench", "--headline", "--json", "--args", '{"ms":20}', "--tool", "sleep"],
      box.options(),
    );
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    const rows = report.rows as { scenario: string; calls: number; sequential_ms: number; hangar_ms: number }[];
    expect(rows.map((r) => [r.scenario, r.calls])).toEqual([
      ["15 tools, 2 providers", 15],
      ["50 concurrent requests", 50],
      ["cold start + batch", 15],
    ]);
    expect(report.rows[2].starts).toBe(2);
    for (const row of report.rows) expect(row.success_rate).toBe(1);
    // Sequential is at least the calls' own sleep, one after another; all at once it is a few waves.
    expect(rows[1]!.sequential_ms).toBeGreaterThan(rows[1]!.hangar_ms);
    expect(report.ok).toBe(true);
  }, 60_000);

  test(
    "--json on the demo providers: parallel beats sequential, the cold provider starts once, every call succeeds",
    async () => {
      using box = sandbox();
      const run = await runHangar(["bench", "--json", ...SMALL], box.options());
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.config).toBe("demo");
      expect(report.targets.map((t: { provider: string; tool: string }) => `${t.provider}/${t.tool}`)).toEqual([
        "demo/sleep",
        "demo2/sleep",
      ]);
      const { sequential, parallel, speedup } = report.fan_out;
      expect(parallel.wall_ms).toBeLessThan(sequential.wall_ms);
      expect(speedup).toBeGreaterThan(1);
      expect(sequential.calls).toBe(8);
      expect(report.cold_start).toMatchObject({ provider: "demo", callers: 6, starts: 1, calls: 6, success_rate: 1 });
      expect(report.concurrent_clients).toMatchObject({ clients: 6, calls_per_client: 8, calls: 48, success_rate: 1 });
      expect(report.overhead).toMatchObject({
        target: { provider: "demo", tool: "echo" },
        direct: { success_rate: 1 },
        hangar: { success_rate: 1 },
      });
      for (const figures of [sequential, parallel, report.overhead.hangar]) {
        expect(figures.success_rate).toBe(1);
        expect(figures.latency_ms.p50).toBeLessThanOrEqual(figures.latency_ms.p95);
        expect(figures.latency_ms.p95).toBeLessThanOrEqual(figures.latency_ms.p99);
      }
      expect(report.ok).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "the table shows each scenario with its percentiles and the speedup",
    async () => {
      using box = sandbox();
      const run = await runHangar(["bench", "--providers", "demo2", ...SMALL], box.options());
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("calls: demo2/sleep");
      for (const row of [
        "fan-out, one call after another",
        "fan-out, one parallel batch",
        "overhead, through hangar",
        'cold start, 6 callers to "demo2"',
        "concurrent clients, 6 × 8 calls",
      ]) {
        expect(run.stdout).toContain(row);
      }
      expect(run.stdout).toMatch(/p50 ms +p95 ms +p99 ms/);
      expect(run.stdout).toMatch(/\d+(\.\d)?× faster/);
      expect(run.stdout).toContain("1 start");
    },
    TIMEOUT_MS,
  );

  test("on the starter config of `hangar init` it passes over the demo's `fail` (tried once, it fails) and every call succeeds", async () => {
    using box = sandbox();
    expect((await runHangar(["init"], box.options())).code).toBe(0);
    const run = await runHangar(["bench", "--json", ...SMALL], box.options());
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.config).toBe(join(box.cwd, "hangar.yaml"));
    // `fail` and `info` are both read-only with no required arguments; `fail` sorts first.
    expect(report.targets).toEqual([
      { provider: "demo", tool: "info", arguments: {} },
      { provider: "demo2", tool: "info", arguments: {} },
    ]);
    expect(report.fan_out.speedup).toBeGreaterThan(0);
    expect(report.concurrent_clients.calls_per_s).toBeGreaterThan(0);
    expect(report.first_failure).toBeUndefined();
    expect(report.ok).toBe(true);

    const headline = await runHangar(["bench", "--headline"], box.options());
    expect(headline.code).toBe(0);
    expect(headline.stdout).toContain("calls: demo/info {}, demo2/info {}");
    expect(headline.stdout).toContain("Every call succeeded.");
  }, 60_000);

  test("failing calls: the first failure's type and message are shown once, and no speedup is made of them", async () => {
    using box = sandbox();
    const json = await runHangar(["bench", "--json", "--tool", "demo/fail", ...SMALL], box.options());
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    const failure = { provider: "demo", tool: "fail", type: "tool_error", message: "requested failure" };
    expect(report.first_failure).toEqual(failure);
    expect(report.fan_out.speedup).toBeNull();
    expect(report.fan_out.parallel.first_failure).toEqual(failure);
    // Nor a throughput, in --json as in the table.
    expect(report.concurrent_clients.calls_per_s).toBeNull();
    expect(report.ok).toBe(false);

    const text = await runHangar(["bench", "--tool", "demo/fail", ...SMALL], box.options());
    expect(text.code).toBe(1);
    expect(text.stdout).not.toContain("× faster");
    expect(text.stdout).not.toContain("calls/s");
    expect(text.stdout.split("First failure: demo/fail: tool_error: requested failure")).toHaveLength(2);

    const headline = await runHangar(["bench", "--headline", "--json", "--tool", "demo/fail"], box.options());
    expect(headline.code).toBe(1);
    const rows = JSON.parse(headline.stdout);
    expect(rows.first_failure).toEqual(failure);
    for (const row of rows.rows) expect(row.speedup).toBeNull();
  }, 60_000);

  test(
    "a tool that may write is never called unless it is named with --tool",
    async () => {
      using box = sandbox();
      const log = join(box.root, "writes.log");
      const config = box.write("hangar.yaml", writerYaml(log));
      const refused = await runHangar(["bench", ...SMALL], box.options());
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'hangar: No provider has a tool bench may call ("writer": its read-only tools all need arguments bench cannot guess',
      );
      expect(existsSync(log)).toBe(false);

      const named = await runHangar(
        [
          "--config",
          config,
          "bench",
          "--json",
          "--tool",
          "writer/remove",
          "--calls",
          "2",
          "--rounds",
          "1",
          "--concurrency",
          "2",
        ],
        box.options(),
      );
      expect(named.code).toBe(0);
      expect(JSON.parse(named.stdout).targets).toEqual([{ provider: "writer", tool: "remove", arguments: {} }]);
      expect(readFileSync(log, "utf8").length).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  test(
    "usage errors exit 2: an unknown provider in --providers, --args that is not a JSON object",
    async () => {
      using box = sandbox();
      const unknown = await runHangar(["bench", "--providers", "nope"], box.options());
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('hangar: Unknown provider "nope" in --providers; known: demo, demo2');
      const args = await runHangar(["bench", "--tool", "echo", "--args", "[1]"], box.options());
      expect(args.code).toBe(2);
      expect(args.stderr).toContain("hangar: --args must be a JSON object");
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9 #33: --tool provider/tool starts only that provider, and long names keep the table's columns aligned",
    async () => {
      using box = sandbox();
      const long = "a-provider-with-a-rather-long-id";
      const marker = join(box.root, "other-started");
      const other = ["bash", "-c", `touch ${marker}; exec ${hangarBinary()} demo-provider --name other`];
      box.write("hangar.yaml", `${demoProvidersYaml([long])}  - id: other\n    command: ${JSON.stringify(other)}\n`);
      const run = await runHangar(["bench", "--tool", `${long}/sleep`, "--args", '{"ms":20}', ...SMALL], box.options());
      expect(run.code).toBe(0);
      expect(existsSync(marker)).toBe(false);
      const lines = run.stdout.split("\n");
      const header = lines.find((line) => line.startsWith("scenario"))!;
      const calls = [header.indexOf("calls"), header.indexOf("calls") + 5];
      const rows = lines.filter((line) => /^(fan-out|overhead|cold start|concurrent)/.test(line));
      expect(rows).toHaveLength(6);
      expect(rows.find((row) => row.startsWith("overhead, direct"))).toContain(`(${long}/sleep)`);
      for (const row of rows) expect(row.slice(calls[0], calls[1]).trim()).toMatch(/^\d+$/);

      const unknown = await runHangar(["bench", "--tool", "nope/sleep"], box.options());
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain(`hangar: Unknown provider "nope" in --tool; known: ${long}, other`);
    },
    TIMEOUT_MS,
  );
});
