// The run registry (issue 9 item 2): what a killed hangar left is reaped only when its owner is gone, and
// only when the recorded process group is provably the one that hangar started.
import { afterEach, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processesInGroup, processRow } from "../src/providers/process-table.ts";
import { currentOwner, type RunEntry, RunRegistry } from "../src/providers/run-registry.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // Gone.
    }
  }
});

/** A process group of two sleeps (a leader and its child), as a provider with a grandchild would be. */
async function group(): Promise<{ leader: number; members: number[] }> {
  const child = spawn("sh", ["-c", "sleep 600 & exec sleep 601"], { detached: true, stdio: "ignore" });
  started.push(child);
  const leader = child.pid!;
  const members = () => processesInGroup(leader).map((row) => row.pid);
  await waitFor(() => members().length === 2, 5_000, "two sleeps");
  return { leader, members: members() };
}

function entryOf(leader: number, owner = currentOwner()): RunEntry {
  return { owner, provider: "p", pid: leader, start: processRow(leader)!.start };
}

/** This process with another start time: a hangar that had this pid before and is gone. */
const deadOwner = () => ({ pid: process.pid, start: currentOwner().start - 1 });

describe("run registry", () => {
  test("reaps the whole group of an entry whose owner is gone, and removes its file", async () => {
    const registry = new RunRegistry(mkdtempSync(join(tmpdir(), "hangar-run-")));
    const { leader, members } = await group();
    const path = registry.record(entryOf(leader, deadOwner()))!;
    const reaped = await registry.reap({ graceMs: 2_000 });
    expect(reaped).toEqual([expect.objectContaining({ path, pids: expect.arrayContaining(members) })]);
    await waitFor(() => members.every((pid) => !isAlive(pid)), 5_000, "the group to exit");
    expect(existsSync(path)).toBe(false);
  });

  test("never touches an entry whose owner is alive", async () => {
    const registry = new RunRegistry(mkdtempSync(join(tmpdir(), "hangar-run-")));
    const { leader, members } = await group();
    const path = registry.record(entryOf(leader))!;
    expect(registry.leftovers()).toEqual([]);
    expect(await registry.reap()).toEqual([]);
    expect(members.filter(isAlive)).toEqual(members);
    expect(existsSync(path)).toBe(true);
  });

  test("leaves a group alone when its leader's pid now belongs to a later process", async () => {
    const registry = new RunRegistry(mkdtempSync(join(tmpdir(), "hangar-run-")));
    const { leader, members } = await group();
    const stale = { ...entryOf(leader, deadOwner()), start: processRow(leader)!.start - 1 };
    const path = registry.record(stale)!;
    expect(await registry.reap()).toEqual([expect.objectContaining({ path, pids: [] })]);
    expect(members.filter(isAlive)).toEqual(members);
    expect(existsSync(path)).toBe(false);
  });

  test("reaps the children left in a group whose leader has exited", async () => {
    const registry = new RunRegistry(mkdtempSync(join(tmpdir(), "hangar-run-")));
    const { leader, members } = await group();
    const path = registry.record(entryOf(leader, deadOwner()))!;
    process.kill(leader, "SIGKILL");
    await waitFor(() => !isAlive(leader), 5_000, "the leader to exit");
    const orphans = members.filter((pid) => pid !== leader);
    expect(orphans.filter(isAlive)).toEqual(orphans);
    expect(await registry.reap()).toEqual([expect.objectContaining({ path, pids: orphans })]);
    await waitFor(() => orphans.every((pid) => !isAlive(pid)), 5_000, "the orphans to exit");
  });
});
