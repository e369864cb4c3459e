// The official MCP conformance suite (@modelcontextprotocol/conformance 0.2.0-alpha.12, the devDependency
// alias conformance-next, server mode) against the compiled `hangar serve --http`, with
// tests/fixtures/conformance-server.ts, mrtr-server.ts (the multi-round-trip tools, on the v2 SDK) and
// tasks-server.ts (the tasks scenarios' tools) behind it under their own names (`prefix: false`): the scenarios
// 2026-07-28 requires, those 2025-11-25 requires, and every scenario (`--suite all`: active, pending and
// extensions). Each run gets its own Hangar, and the three run at once. tests/conformance-baseline.json
// lists what does not pass yet, and why.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { type Sandbox, sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { BUN, fixture, ROOT } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const CONFORMANCE = join(ROOT, "node_modules/conformance-next/dist/index.js");
const BASELINE = (await Bun.file(join(ROOT, "tests/conformance-baseline.json")).json()) as {
  scenarios: Record<string, string>;
};
const RUNS = {
  "2026-07-28": ["--requirements", "2026-07-28"],
  "2025-11-25": ["--requirements", "2025-11-25"],
  all: ["--suite", "all"],
} as const;

/** The suite's summary lines (`✓ name: …` / `✗ name: …`) as scenario → passed. */
function outcomes(stdout: string): Map<string, boolean> {
  const found = new Map<string, boolean>();
  for (const match of stdout.matchAll(/^([✓✗]) (\S+): \d+ passed, \d+ failed/gmu))
    found.set(match[2]!, match[1] === "✓");
  return found;
}

/** Runs the suite with `args` against a fresh `hangar serve --http` in `box`; scenario → passed. */
async function conform(box: Sandbox, args: readonly string[]): Promise<Map<string, boolean>> {
  const provider = (id: string, file: string) => JSON.stringify({ id, command: fixture(file), prefix: false });
  box.write(
    "hangar.yaml",
    `providers:\n  - ${provider("conformance", "conformance-server.ts")}\n  - ${provider("mrtr", "mrtr-server.ts")}\n  - ${provider("tasks", "tasks-server.ts")}\n`,
  );
  await using hangar = await startHttpHangar(box);
  // Scenarios call tools and prompts by name: wait until the providers' catalogs are known.
  const { client } = await hangar.connect();
  await waitFor(
    async () =>
      (await client.listPrompts()).prompts.some((p) => p.name === "test_prompt_with_arguments") &&
      (await client.listTools()).tools.some((t) => t.name === "slow_compute"),
    15_000,
    "the fixtures' catalogs",
  );
  const run = Bun.spawn([BUN, CONFORMANCE, "server", ...args, "--url", `${hangar.base}/mcp`], {
    cwd: box.cwd,
    env: box.env,
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  const results = outcomes(stdout);
  expect(results.size, `no scenario summary in the suite's output:\n${stdout}\n${stderr}`).toBeGreaterThan(20);
  return results;
}

test("hangar serve --http passes every conformance scenario of both eras outside the baseline, and no baselined one passes", async () => {
  const boxes = Object.keys(RUNS).map(() => sandbox());
  try {
    const runs = await Promise.all(Object.values(RUNS).map((args, i) => conform(boxes[i]!, args)));
    const unexpected = Object.keys(RUNS).flatMap((name, i) =>
      [...runs[i]!]
        .filter(([scenario, passed]) => !passed && !(scenario in BASELINE.scenarios))
        .map(([s]) => `${name}: ${s}`),
    );
    const ran = (scenario: string) => runs.filter((results) => results.has(scenario));
    const stale = Object.keys(BASELINE.scenarios).filter(
      (scenario) => ran(scenario).length > 0 && ran(scenario).every((results) => results.get(scenario) === true),
    );
    const unknown = Object.keys(BASELINE.scenarios).filter((scenario) => ran(scenario).length === 0);
    expect({ unexpected, stale, unknown }).toEqual({ unexpected: [], stale: [], unknown: [] });
    // The 2025-11-25 requirements have nothing to excuse.
    expect([...runs[1]!].filter(([, passed]) => !passed)).toEqual([]);
  } finally {
    for (const box of boxes) box[Symbol.dispose]();
  }
}, 90_000);
