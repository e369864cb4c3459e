/**
 * The run registry: one small JSON file under `~/.hangar/run` per provider process group (and container)
 * a hangar started, naming the hangar that owns it by pid and start time. A group's watchdog deletes its
 * file once the group is gone; a file that outlives its owner means both were killed, and the next
 * hangar removes what it names — only when the owner is no longer alive, never another live hangar's.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hangarHome } from "../hangar-home.ts";
import { runToEnd } from "../runtime/index.ts";
import { isSameProcess, processesInGroup, processRow } from "./process-table.ts";

/** A hangar process, by pid and start time (so a later process with the same pid is not taken for it). */
export interface Owner {
  readonly pid: number;
  readonly start: number;
}

/** What a hangar started for one provider. */
export interface RunEntry {
  readonly owner: Owner;
  readonly provider: string;
  /** The provider's process, the leader of its own process group (its pgid is its pid). */
  readonly pid: number;
  /** When that process started. */
  readonly start: number;
  /** The container it runs (docker providers): its name and the docker client that removes it. */
  readonly container?: { readonly name: string; readonly docker: string };
}

/** An entry whose owner is gone, with the processes of its group still alive. */
export interface Leftover {
  readonly path: string;
  readonly entry: RunEntry;
  readonly pids: readonly number[];
}

/** A leftover after `reap`: whether its container was found (and removed). */
export interface Reaped extends Leftover {
  readonly containerRemoved: boolean;
}

let self: Owner | undefined;

/** This hangar process as an owner. */
export function currentOwner(): Owner {
  self ??= { pid: process.pid, start: processRow(process.pid)?.start ?? 0 };
  return self;
}

/** The owner as one token, for file names and the `dev.hangar.owner` container label: `<pid>-<start>`. */
export function ownerToken(owner: Owner = currentOwner()): string {
  return `${owner.pid}-${owner.start}`;
}

/** The default registry folder: `$HANGAR_HOME/run` (default `~/.hangar/run`). */
export function defaultRunDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return join(hangarHome(env), "run");
}

/** The processes of `entry`'s group still alive, when they are provably that group's (see below). */
function groupOf(entry: RunEntry): number[] {
  const leader = processRow(entry.pid);
  // The leader still runs: its group is the entry's.
  if (leader?.start === entry.start) return processesInGroup(entry.pid).map((row) => row.pid);
  // Another process has the leader's pid: the old group had ended (a pid in use as a group id is
  // never handed out again), so any group with that id now is someone else's.
  if (leader !== undefined) return [];
  // The leader is gone but its children may remain in its group.
  return processesInGroup(entry.pid)
    .filter((row) => row.start >= entry.start)
    .map((row) => row.pid);
}

/** The registry in one folder; every method tolerates a missing or unwritable folder. */
export class RunRegistry {
  constructor(readonly dir: string = defaultRunDir()) {}

  /** Writes `entry`; returns its file, or undefined when it could not be written. */
  record(entry: RunEntry): string | undefined {
    const path = join(this.dir, `${ownerToken(entry.owner)}-${entry.pid}.json`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      return path;
    } catch {
      return undefined;
    }
  }

  /** Every entry on disk (unreadable files are skipped). */
  entries(): { path: string; entry: RunEntry }[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
    const out: { path: string; entry: RunEntry }[] = [];
    for (const name of names) {
      const path = join(this.dir, name);
      try {
        const entry = JSON.parse(readFileSync(path, "utf8")) as RunEntry;
        if (typeof entry.owner?.pid === "number" && typeof entry.pid === "number") out.push({ path, entry });
      } catch {
        // Being written, or not ours.
      }
    }
    return out;
  }

  /** Entries whose owner is no longer alive, each with the processes of its group still running. */
  leftovers(): Leftover[] {
    return this.entries()
      .filter(({ entry }) => !isSameProcess(entry.owner.pid, entry.owner.start))
      .map(({ path, entry }) => ({ path, entry, pids: groupOf(entry) }));
  }

  /**
   * Removes what killed hangars left: SIGTERM to each leftover group, SIGKILL after `graceMs`, then
   * `docker rm -f` of its container, then its file. Returns the leftovers found (with or without
   * anything still running).
   */
  async reap(options: { graceMs?: number } = {}): Promise<Reaped[]> {
    const found = this.leftovers();
    const signal = (sig: NodeJS.Signals) => {
      for (const { pids } of found)
        for (const pid of pids) {
          try {
            process.kill(pid, sig);
          } catch {
            // Already gone.
          }
        }
    };
    if (found.some((leftover) => leftover.pids.length > 0)) {
      signal("SIGTERM");
      const grace = options.graceMs ?? 1000;
      for (let waited = 0; waited < grace && found.some(({ entry }) => groupOf(entry).length > 0); waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      signal("SIGKILL");
    }
    return await Promise.all(
      found.map(async (leftover) => {
        const { container } = leftover.entry;
        const containerRemoved = container !== undefined && (await removeContainer(container.docker, container.name));
        rmSync(leftover.path, { force: true });
        return { ...leftover, containerRemoved };
      }),
    );
  }
}

/** `docker rm -f <name>`, given at most 15 s; true when it removed a container (it prints its name). */
async function removeContainer(docker: string, name: string): Promise<boolean> {
  try {
    const { code, stdout } = await runToEnd([docker, "rm", "-f", name], { timeoutMs: 15_000 });
    return code === 0 && stdout.trim() === name;
  } catch {
    return false; // No docker client any more.
  }
}

/** Whether a reaped entry had anything still running (an entry left by a reboot has not). */
export function hadLeftovers(reaped: Reaped): boolean {
  return reaped.pids.length > 0 || reaped.containerRemoved;
}

/** One line about what was removed: `provider "x" of hangar pid 123: processes 5, 6; container hangar-x-…`. */
export function describeReaped(reaped: Reaped): string {
  const parts: string[] = [];
  if (reaped.pids.length > 0)
    parts.push(`${reaped.pids.length === 1 ? "process" : "processes"} ${reaped.pids.join(", ")}`);
  if (reaped.containerRemoved && reaped.entry.container) parts.push(`container ${reaped.entry.container.name}`);
  return `provider "${reaped.entry.provider}" of hangar pid ${reaped.entry.owner.pid}: ${parts.join("; ")}`;
}
