// The official MCP conformance suite (@modelcontextprotocol/conformance, server mode, every scenario: active and pending)
// against the compiled `hangar serve --http`, with tests/fixtures/conformance-server.ts behind it under
// its own names (`prefix: false`). tests/conformance-baseline.json lists what does not pass yet, and why.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { BUN, fixture, ROOT } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";

const CONFORMANCE = join(ROOT, "node_modules/@modelcontextprotocol/conformance/dist/index.js");
const BASELINE = (await Bun.file(join(ROOT, "tests/conformance-baseline.json")).json()) as {
  scenarios: Record<string, string>;
};

/** The suite's summary lines (`✓ name: …` / `✗ name: …`) as scenario → passed. */
function outcomes(stdout: string): Map<string, boolean> {
  const found = new Map<string, boolean>();
  for (const match of stdout.matchAll(/^([✓✗]) (\S+): \d+ passed, \d+ failed/gmu))
    found.set(match[2]!, match[1] === "✓");
  return found;
}

test("hangar serve --http passes every conformance scenario outside the baseline, and no baselined one passes", async () => {
  using box = sandbox();
  box.write(
    "hangar.yaml",
    `providers:\n  - ${JSON.stringify({ id: "conformance", command: fixture("conformance-server.ts"), prefix: false })}\n`,
  );
  await using hangar = await startHttpHangar(box);
  // Scenarios call tools and prompts by name: wait until the provider's catalog is known.
  const { client } = await hangar.connect();
  await waitFor(
    async () => (await client.listPrompts()).prompts.some((p) => p.name === "test_prompt_with_arguments"),
    15_000,
    "the fixture's catalog",
  );

  const run = Bun.spawn(
    [BUN, CONFORMANCE, "server", "--suite", "all", "--url", `${hangar.base}/mcp`, "-o", join(box.root, "results")],
    {
      cwd: box.cwd,
      env: box.env,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const [stdout, stderr] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  const results = outcomes(stdout);
  expect(results.size, `no scenario summary in the suite's output:\n${stdout}\n${stderr}`).toBeGreaterThan(20);

  const failing = [...results].filter(([, passed]) => !passed).map(([name]) => name);
  const unexpected = failing.filter((name) => !(name in BASELINE.scenarios));
  const stale = Object.keys(BASELINE.scenarios).filter((name) => results.get(name) === true);
  const unknown = Object.keys(BASELINE.scenarios).filter((name) => !results.has(name));
  expect({ unexpected, stale, unknown }).toEqual({ unexpected: [], stale: [], unknown: [] });
}, 60_000);
