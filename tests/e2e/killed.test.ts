// Issue 9 item 2: hangar killed with SIGKILL leaves nothing behind. Its watchdogs stop every provider's
// process group within the grace; when the watchdogs were killed too, the next hangar (call, serve,
// bench, doctor) removes what the run registry under $HOME/.hangar/run names — but never the providers
// of another hangar that is still alive.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { processesInGroup } from "../../src/providers/process-table.ts";
import {
  argvOf,
  demoProvidersYaml,
  hangarBinary,
  isWatchdog,
  killLeftovers,
  type Running,
  runHangar,
  type Sandbox,
  sandbox,
  startHangar,
  waitForExit,
} from "../helpers/e2e.ts";
import { isAlive, waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 40_000;

/**
 * A provider that ignores SIGTERM (and its children inherit that), keeps running after its stdin ends
 * (the demo provider inside exits, then the leader sleeps on), and has a grandchild in the background.
 */
function stubbornYaml(id: string): string {
  const script = `trap '' TERM; sleep 600 & "$HANGAR" demo-provider --name ${id}; sleep 600`;
  return `providers:
  - id: ${id}
    command: ["bash", "-c", ${JSON.stringify(script)}]
    env: { HANGAR: ${JSON.stringify(hangarBinary())} }
`;
}

const LONG_SLEEP = (id: string) => JSON.stringify([{ provider: id, tool: "sleep", arguments: { ms: 60_000 } }]);

/** A stubborn provider's processes under a running `hangar call`, and the watchdog guarding them. */
interface Stubborn {
  readonly hangar: Running;
  /** Every process of the provider's group: bash, its background sleep and the demo provider. */
  readonly group: number[];
  /** Those that outlive stdin EOF (all but the demo provider). */
  readonly survivors: number[];
  /** The watchdog hangar started beside the group. */
  readonly watchdog: number;
}

/** Starts `hangar call` of a long sleep on a stubborn provider; resolves once its group is complete. */
async function startStubborn(box: Sandbox, id: string): Promise<Stubborn> {
  box.write("hangar.yaml", stubbornYaml(id));
  const file = box.write(`${id}.json`, LONG_SLEEP(id));
  const hangar = startHangar(["call", "--json", file], box.options());
  let found: Omit<Stubborn, "hangar"> | undefined;
  await waitFor(
    () => {
      const children = hangar.children();
      const leader = children.find((pid) => argvOf(pid)[0]?.endsWith("bash"));
      if (leader === undefined) return false;
      const group = processesInGroup(leader).map((row) => row.pid);
      const demo = group.filter((pid) => argvOf(pid).includes("demo-provider"));
      const sleeps = group.filter((pid) => argvOf(pid)[0] === "sleep");
      if (group.length !== 3 || demo.length !== 1 || sleeps.length !== 1) return false;
      // The watchdog is spawned just after the group's leader: on a loaded machine it may not be up yet.
      const watchdog = children.find(isWatchdog);
      if (watchdog === undefined) return false;
      found = { group, survivors: group.filter((pid) => pid !== demo[0]), watchdog };
      return true;
    },
    10_000,
    "the provider's bash, its sleep, the demo provider and its watchdog",
  );
  return { hangar, ...found! };
}

/** A second config with a plain demo provider, and a batch for it: the next hangar's own work. */
function writeQuick(box: Sandbox): void {
  box.write("quick.yaml", demoProvidersYaml(["quick"]));
  box.write("quick.json", JSON.stringify([{ provider: "quick", tool: "echo", arguments: { message: "hi" } }]));
}

/** The run registry's files in the sandbox's HOME. */
function registryFiles(box: Sandbox): string[] {
  const dir = join(box.home, ".hangar", "run");
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe("hangar killed with SIGKILL (issue 9 item 2)", () => {
  test(
    "its watchdog stops the provider's whole group, one ignoring stdin EOF and SIGTERM included, within a few seconds",
    async () => {
      using box = sandbox();
      const { hangar, group, watchdog } = await startStubborn(box, "stubborn");
      await using _ = hangar;
      expect(registryFiles(box)).toHaveLength(1);
      process.kill(hangar.pid, "SIGKILL");
      const killed = Date.now();
      await hangar.done;
      // The watchdog's grace between SIGTERM and SIGKILL is 2 s.
      expect(await waitForExit([...group, ...(watchdog === undefined ? [] : [watchdog])], 15_000)).toEqual([]);
      expect(Date.now() - killed).toBeLessThan(8_000);
      expect(registryFiles(box)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test.each([
    ["doctor", ["doctor", "--json", "--no-clients", "--config", "quick.yaml"]],
    ["call", ["call", "--json", "--config", "quick.yaml", "quick.json"]],
  ] as const)(
    "when its watchdogs were killed too, the next `hangar %s` removes the leftovers and reports them",
    async (_name, args) => {
      using box = sandbox();
      const { hangar, group, survivors, watchdog } = await startStubborn(box, "stubborn");
      await using _ = hangar;
      const [entry] = registryFiles(box);
      expect(entry).toStartWith(`${hangar.pid}-`);
      expect(watchdog).toBeNumber();
      process.kill(watchdog!, "SIGKILL");
      process.kill(hangar.pid, "SIGKILL");
      await hangar.done;
      // Nothing stops them now: the demo provider exits on stdin EOF, the rest sleeps on.
      await Bun.sleep(500);
      expect(survivors.filter(isAlive)).toEqual(survivors);

      writeQuick(box);
      const run = await runHangar(args, box.options({ HANGAR_LOG_LEVEL: "warn" }));
      try {
        expect(await waitForExit(group, 5_000)).toEqual([]);
        const reported = args[0] === "doctor" ? doctorLeftovers(run.stdout) : logLeftovers(run.stderr);
        expect(reported).toMatch(
          /^removed what a killed hangar left: provider "stubborn" of hangar pid (\d+): processes /i,
        );
        expect(reported).toContain(`of hangar pid ${hangar.pid}:`);
        for (const pid of survivors) expect(reported).toMatch(new RegExp(`processes [\\d, ]*\\b${pid}\\b`));
        await waitFor(() => !registryFiles(box).includes(entry!), 5_000, "the leftover's registry file to go");
      } finally {
        killLeftovers(group);
        for (const pid of group.filter(isAlive)) process.kill(pid, "SIGKILL");
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a hangar started beside a live one never touches the live one's providers",
    async () => {
      using box = sandbox();
      const { hangar, group } = await startStubborn(box, "stubborn");
      await using _ = hangar;
      const [entry] = registryFiles(box);
      writeQuick(box);
      const second = await runHangar(["call", "--json", "--config", "quick.yaml", "quick.json"], box.options());
      expect(second.code).toBe(0);
      expect(second.stderr).not.toContain("killed hangar");
      const doctor = await runHangar(["doctor", "--json", "--no-clients", "--config", "quick.yaml"], box.options());
      expect(doctorLeftovers(doctor.stdout)).toBe("");
      expect(group.filter(isAlive)).toEqual(group);
      expect(registryFiles(box)).toContain(entry!);
    },
    TIMEOUT_MS,
  );
});

/** The messages of doctor's `leftovers` checks in a --json report, one per line. */
function doctorLeftovers(stdout: string): string {
  const report = JSON.parse(stdout) as { checks: { name: string; status: string; message: string }[] };
  return report.checks
    .filter((item) => item.name === "leftovers" && item.status === "warn")
    .map((item) => item.message)
    .join("\n");
}

/** The messages of hangar's "removed what a killed hangar left" warnings in its JSON log lines. */
function logLeftovers(stderr: string): string {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string })
    .filter((line) => line.msg?.startsWith("removed what a killed hangar left"))
    .map((line) => line.msg)
    .join("\n");
}
