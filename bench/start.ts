// Whole-process start times of the compiled binary, beside a baseline compiled the same way in the same
// run: a Bun program that prints one line. Also `hangar serve` with 50 providers whose catalogs are
// cached: from launch to `tools/list` answered (after `initialize`), the process start included. Runs are interleaved (baseline, --version, call, …) so that
// load on the machine hits every row alike; the table shows the median and the spread.
//
//   bun run bench/start.ts [--runs 21] [--binary dist/hangar] [--providers 50] [--json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { hangarArgv, ms } from "./stats.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "21" },
    binary: { type: "string" },
    providers: { type: "string", default: "50" },
    json: { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const PROVIDERS = Number(values.providers);
const hangar = values.binary ? [resolve(values.binary)] : hangarArgv();
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

const cases: { name: string; argv: string[] }[] = [
  { name: "baseline: a compiled Bun program printing one line", argv: [baseline] },
  { name: "hangar --version", argv: [...hangar, "--version"] },
  { name: "hangar --help", argv: [...hangar, "--help"] },
  { name: "hangar call: one demo echo (provider start included)", argv: [...hangar, "call", batch, "--json"] },
];

// `hangar serve` with PROVIDERS demo providers, their catalogs cached by one serve that listed them all.
const serveConfig = join(home, "serve.yaml"); // not ./hangar.yaml: `hangar call` above uses the demo config
writeFileSync(
  serveConfig,
  `providers:\n${Array.from({ length: PROVIDERS }, (_, i) => `  - ${JSON.stringify({ id: `p${i}`, command: [...hangar, "demo-provider", "--name", `p${i}`] })}\n`).join("")}`,
);
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
 * to request `until` (then closes stdin and waits for the exit, untimed).
 */
async function timeServe(messages: object[], until: number): Promise<number> {
  const start = performance.now();
  const proc = Bun.spawn([...hangar, "--config", serveConfig, "serve"], {
    env,
    cwd: home,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
  });
  proc.stdin.write(messages.map((m) => `${JSON.stringify({ jsonrpc: "2.0", ...m })}\n`).join(""));
  proc.stdin.flush();
  let buffer = "";
  let elapsed: number | undefined;
  const decoder = new TextDecoder();
  for await (const chunk of proc.stdout) {
    buffer += decoder.decode(chunk);
    const answered = buffer.split("\n").some((line) => line.startsWith("{") && JSON.parse(line).id === until);
    if (answered) {
      elapsed = performance.now() - start;
      break;
    }
  }
  proc.stdin.end();
  await proc.exited;
  if (elapsed === undefined) throw new Error(`hangar serve exited before answering request ${until}`);
  return elapsed;
}
await timeServe([...LIST, { id: 3, method: "tools/call", params: { name: "hangar_tools", arguments: {} } }], 3);

function timeOnce(argv: string[]): number {
  const start = performance.now();
  const run = Bun.spawnSync(argv, { env, cwd: home, stdout: "ignore", stderr: "ignore" });
  const elapsed = performance.now() - start;
  if (run.exitCode !== 0) throw new Error(`${argv.join(" ")} exited with ${run.exitCode}`);
  return elapsed;
}

const serveName = `hangar serve: initialize → tools/list, ${PROVIDERS} providers cached`;
const times = [...cases, { name: serveName }].map(() => [] as number[]);
for (const c of cases) timeOnce(c.argv); // warm the page cache
for (let run = 0; run < RUNS; run++) {
  for (const [i, c] of cases.entries()) times[i]!.push(timeOnce(c.argv));
  times[cases.length]!.push(await timeServe(LIST, 2));
}
rmSync(home, { recursive: true, force: true });

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const rows = [...cases, { name: serveName }].map((c, i) => {
  const sorted = [...times[i]!].sort((a, b) => a - b);
  return {
    name: c.name,
    median_ms: ms(quantile(sorted, 0.5)),
    p10_ms: ms(quantile(sorted, 0.1)),
    p90_ms: ms(quantile(sorted, 0.9)),
  };
});

if (values.json) console.log(JSON.stringify({ runs: RUNS, rows }, null, 2));
else {
  console.log(
    `hangar start times — ${RUNS} interleaved runs each, bun ${Bun.version}, ${process.platform}-${process.arch}\n`,
  );
  console.log(`${"".padEnd(64)}${"median".padStart(9)}${"p10".padStart(9)}${"p90".padStart(9)}`);
  for (const row of rows)
    console.log(
      `${row.name.padEnd(64)}${`${row.median_ms.toFixed(1)}`.padStart(9)}${row.p10_ms.toFixed(1).padStart(9)}${row.p90_ms.toFixed(1).padStart(9)}  ms`,
    );
}
