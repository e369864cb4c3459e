// Whole-process start times of the compiled binary, beside a baseline compiled the same way in the same
// run: a Bun program that prints one line. Also `hangar serve` with 50 providers whose catalogs are
// cached: from launch to `tools/list` answered (after `initialize`), the process start included. Runs are
// interleaved (baseline, --version, call, …, and each binary in turn when several are given: before and
// after a change) so that load on the machine hits every row alike; the table shows the median wall time
// and spread, and the median CPU time (user + system, the process and the children it waited for, e.g.
// `hangar call`'s provider) — the steadier figure on a busy machine.
//
//   bun run bench/start.ts [--runs 21] [--binary dist/hangar]… [--providers 50] [--json]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { hangarArgv, ms } from "./stats.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "21" },
    binary: { type: "string", multiple: true },
    providers: { type: "string", default: "50" },
    json: { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const PROVIDERS = Number(values.providers);
const binaries = values.binary?.length ? values.binary.map((path) => [resolve(path)]) : [hangarArgv()];
const home = mkdtempSync(join(tmpdir(), "hangar-bench-start-"));
const env = { ...process.env, HOME: home, HANGAR_CACHE_DIR: join(home, "cache") } as Record<string, string>;

// The baseline: the smallest compiled Bun program, built with the flags scripts/build.sh uses.
const baselineSource = join(home, "hello.ts");
writeFileSync(baselineSource, 'console.log("hello");\n');
const baseline = join(home, "hello");
const built = Bun.spawnSync(
  [process.execPath, "build", "--compile", "--bytecode", "--format=esm", baselineSource, "--outfile", baseline],
  { stdout: "ignore", stderr: "pipe" },
);
if (built.exitCode !== 0) throw new Error(`could not build the baseline: ${built.stderr.toString()}`);

const batch = join(home, "one.json");
writeFileSync(batch, JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "hi" } }]));

/** What a run measures: wall ms, and the CPU ms of the process and its waited-for children. */
interface Sample {
  wall: number;
  cpu: number;
}
interface Case {
  name: string;
  run(): Sample | Promise<Sample>;
}

const label = (hangar: string[], i: number) => (binaries.length > 1 ? ` [${i + 1}: ${basename(hangar[0]!)}]` : "");
const cpuOf = (usage: { cpuTime: { user: bigint | number; system: bigint | number } } | undefined) =>
  usage ? Number(BigInt(usage.cpuTime.user) + BigInt(usage.cpuTime.system)) / 1000 : Number.NaN;

function timeOnce(argv: string[], cwd: string): Sample {
  const start = performance.now();
  const run = Bun.spawnSync(argv, { env, cwd, stdout: "ignore", stderr: "ignore" });
  const wall = performance.now() - start;
  if (run.exitCode !== 0) throw new Error(`${argv.join(" ")} exited with ${run.exitCode}`);
  return { wall, cpu: cpuOf(run.resourceUsage) };
}

const LIST = [
  {
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } },
  },
  { method: "notifications/initialized" },
  { id: 2, method: "tools/list" },
];

/**
 * Launches `hangar serve`, sends `messages` at once and resolves with the ms from launch until the answer
 * to request `until` (then closes stdin and waits for the exit, untimed; the CPU figure includes it).
 */
async function timeServe(hangar: string[], config: string, cwd: string, messages: object[], until: number) {
  const start = performance.now();
  const proc = Bun.spawn([...hangar, "--config", config, "serve"], {
    env,
    cwd,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
  });
  proc.stdin.write(messages.map((m) => `${JSON.stringify({ jsonrpc: "2.0", ...m })}\n`).join(""));
  proc.stdin.flush();
  let buffer = "";
  let wall: number | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of proc.stdout) {
    buffer += decoder.decode(chunk);
    // Whole lines only: a long answer (tools/list) arrives in several reads.
    const answered = buffer
      .split("\n")
      .slice(0, -1)
      .some((line) => line.startsWith("{") && JSON.parse(line).id === until);
    if (answered) {
      wall = performance.now() - start;
      break;
    }
  }
  proc.stdin.end();
  await proc.exited;
  if (wall === undefined) throw new Error(`hangar serve exited before answering request ${until}`);
  return { wall, cpu: cpuOf(proc.resourceUsage()) };
}

const cases: Case[] = [
  { name: "baseline: a compiled Bun program printing one line", run: () => timeOnce([baseline], home) },
];
for (const [i, hangar] of binaries.entries()) {
  // Each binary in its own folder: `hangar call` there uses the demo config, and its cache is its own.
  const cwd = join(home, `binary-${i}`);
  mkdirSync(cwd);
  // `hangar serve` with PROVIDERS demo providers, their catalogs cached by one serve that listed them all.
  const config = join(cwd, "serve.yaml"); // not ./hangar.yaml: `hangar call` uses the demo config
  writeFileSync(
    config,
    `providers:\n${Array.from({ length: PROVIDERS }, (_, p) => `  - ${JSON.stringify({ id: `p${p}`, command: [...hangar, "demo-provider", "--name", `p${p}`] })}\n`).join("")}`,
  );
  await timeServe(
    hangar,
    config,
    cwd,
    [...LIST, { id: 3, method: "tools/call", params: { name: "hangar_tools", arguments: {} } }],
    3,
  );
  // A second start answers from that cache and records its answers (a hangar with an early reader then
  // answers every timed start from them, as a client's second and later starts are answered).
  await timeServe(hangar, config, cwd, LIST, 2);
  const tag = label(hangar, i);
  cases.push(
    { name: `hangar --version${tag}`, run: () => timeOnce([...hangar, "--version"], cwd) },
    { name: `hangar --help${tag}`, run: () => timeOnce([...hangar, "--help"], cwd) },
    {
      name: `hangar call: one demo echo (provider start included)${tag}`,
      run: () => timeOnce([...hangar, "call", batch, "--json"], cwd),
    },
    {
      name: `hangar serve: initialize → tools/list, ${PROVIDERS} providers cached${tag}`,
      run: () => timeServe(hangar, config, cwd, LIST, 2),
    },
  );
}

const samples = cases.map(() => [] as Sample[]);
for (const c of cases) await c.run(); // warm the page cache (and each binary's catalog and config caches)
for (let run = 0; run < RUNS; run++) for (const [i, c] of cases.entries()) samples[i]!.push(await c.run());
rmSync(home, { recursive: true, force: true });

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const rows = cases.map((c, i) => {
  const wall = samples[i]!.map((s) => s.wall).sort((a, b) => a - b);
  const cpu = samples[i]!.map((s) => s.cpu).sort((a, b) => a - b);
  return {
    name: c.name,
    median_ms: ms(quantile(wall, 0.5)),
    p10_ms: ms(quantile(wall, 0.1)),
    p90_ms: ms(quantile(wall, 0.9)),
    cpu_median_ms: ms(quantile(cpu, 0.5)),
  };
});

if (values.json) console.log(JSON.stringify({ runs: RUNS, binaries: binaries.map((b) => b.join(" ")), rows }, null, 2));
else {
  console.log(
    `hangar start times — ${RUNS} interleaved runs each, bun ${Bun.version}, ${process.platform}-${process.arch}\n`,
  );
  for (const [i, hangar] of binaries.entries()) if (binaries.length > 1) console.log(`[${i + 1}] ${hangar.join(" ")}`);
  const width = Math.max(...rows.map((row) => row.name.length)) + 2;
  console.log(`${"".padEnd(width)}${"median".padStart(9)}${"p10".padStart(9)}${"p90".padStart(9)}${"cpu".padStart(9)}`);
  for (const row of rows)
    console.log(
      `${row.name.padEnd(width)}${row.median_ms.toFixed(1).padStart(9)}${row.p10_ms.toFixed(1).padStart(9)}${row.p90_ms.toFixed(1).padStart(9)}${row.cpu_median_ms.toFixed(1).padStart(9)}  ms`,
    );
}
