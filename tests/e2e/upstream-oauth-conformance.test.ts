// Issue 15: the MCP conformance suite's client-side auth scenarios (conformance-next, client mode) drive
// Hangar's upstream client through dist/hangar: tests/fixtures/conformance-auth-client.ts signs in with
// `hangar auth login` and then calls through `hangar call`. What does not pass is listed below, with why.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { sandbox } from "../helpers/e2e.ts";
import { BUN, fixture, ROOT } from "../helpers/paths.ts";

const CONFORMANCE = join(ROOT, "node_modules/conformance-next/dist/index.js");
const CLIENT = fixture("conformance-auth-client.ts").join(" ");

/** Scenarios of the 2026-07-28 revision outside the `auth` suite. */
const SINGLE = [
  "auth/resource-mismatch",
  "auth/offline-access-scope",
  "auth/offline-access-not-supported",
  "auth/authorization-server-migration",
  "auth/iss-supported",
  "auth/iss-not-advertised",
  "auth/iss-supported-missing",
  "auth/iss-wrong-issuer",
  "auth/iss-unexpected",
  "auth/iss-normalized",
  "auth/metadata-issuer-mismatch",
];

/** What does not pass, and why. */
const BASELINE: Record<string, string> = {
  "auth/scope-step-up":
    "a 403 insufficient_scope during a call would need a new browser sign-in; Hangar's calls run unattended, so it does not re-authorize on its own",
  "auth/authorization-server-migration":
    "a 401 after the server moved to another authorization server ends the call with `run hangar auth login` (which then registers with the new one) instead of re-authorizing unattended",
};

/** The summary lines (`✓ name: …` / `✗ name: …`) and single-run verdicts as scenario → passed. */
function outcomes(stdout: string, scenario?: string): Map<string, boolean> {
  const found = new Map<string, boolean>();
  for (const match of stdout.matchAll(/^([✓✗]) (\S+): \d+ passed, \d+ failed/gmu))
    found.set(match[2] as string, match[1] === "✓");
  if (scenario && /OVERALL: (PASSED|FAILED)/.test(stdout)) found.set(scenario, stdout.includes("OVERALL: PASSED"));
  return found;
}

async function conformance(args: readonly string[], root: string): Promise<string> {
  const run = Bun.spawn(
    [BUN, CONFORMANCE, "client", "--command", CLIENT, "--spec-version", "2026-07-28", ...args, "-o", root],
    { stdout: "pipe", stderr: "pipe" },
  );
  // A suite prints its summary on stdout, a single scenario its verdict on stderr.
  const [stdout, stderr] = await Promise.all([
    new Response(run.stdout).text(),
    new Response(run.stderr).text(),
    run.exited,
  ]);
  return `${stdout}\n${stderr}`;
}

test("the conformance suite's client auth scenarios pass through hangar auth login and hangar call, but the baselined ones", async () => {
  using box = sandbox();
  const results = new Map<string, boolean>();
  const suite = await conformance(["--suite", "auth"], join(box.root, "suite"));
  for (const [name, passed] of outcomes(suite)) results.set(name, passed);
  const singles = await Promise.all(
    SINGLE.map(async (scenario, i) =>
      outcomes(await conformance(["--scenario", scenario], join(box.root, `s${i}`)), scenario),
    ),
  );
  for (const found of singles) for (const [name, passed] of found) results.set(name, passed);
  expect(results.size, `no scenario verdicts in:\n${suite}`).toBeGreaterThanOrEqual(20);

  const failing = [...results].filter(([, passed]) => !passed).map(([name]) => name);
  const unexpected = failing.filter((name) => !(name in BASELINE));
  const stale = Object.keys(BASELINE).filter((name) => results.get(name) === true);
  expect({ unexpected, stale }).toEqual({ unexpected: [], stale: [] });
}, 240_000);
