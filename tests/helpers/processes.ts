import { type Spawner, systemSpawner } from "../../src/providers/index.ts";

/** Whether a process with this pid is alive (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = require("node:fs").readFileSync(`/proc/${pid}/stat`, "utf8") as string;
    return stat.split(") ")[1]?.[0] !== "Z";
  } catch {
    return true;
  }
}

/** Polls `condition` until it holds, failing after `timeoutMs`; for waiting on other processes. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** A spawner that counts and remembers every process it starts. */
export function countingSpawner(): Spawner & { readonly pids: number[]; readonly count: number } {
  const pids: number[] = [];
  const spawner = ((request) => {
    const child = systemSpawner(request);
    pids.push(child.pid);
    return child;
  }) as Spawner & { pids: number[]; count: number };
  Object.defineProperty(spawner, "pids", { value: pids });
  Object.defineProperty(spawner, "count", { get: () => pids.length });
  return spawner;
}

/** Every descendant pid of `pid`, read from /proc. */
export function descendants(pid: number): number[] {
  const fs = require("node:fs") as typeof import("node:fs");
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // Gone while reading.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** What a process spawned with piped stdout and stderr printed, and its exit code, once it has exited. */
export async function outputOf(proc: {
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
}): Promise<{ stdout: string; stderr: string; code: number }> {
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}
