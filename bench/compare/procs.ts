// Process facts for the peer comparison, read from /proc (Linux): descendants, resident memory, and a
// watcher that remembers every provider process it ever saw below a root (to count starts).
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";

/** Every descendant pid of `root`. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone while reading.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** The arguments of a process. */
export function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** Resident memory of `pid` in MiB (0 when it is gone). */
export function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** True for a demo provider process (what every system under test runs). */
export function isProvider(pid: number): boolean {
  return argvOf(pid).includes("demo-provider");
}

/** Polls the provider processes below `roots` every 5 ms until stopped; `seen` is every pid found. */
export function watchProviders(roots: () => number[]): { seen: Set<number>; stop(): void } {
  const seen = new Set<number>();
  const poll = () => {
    for (const root of roots()) for (const pid of descendants(root)) if (!seen.has(pid) && isProvider(pid)) seen.add(pid);
  };
  const timer = setInterval(poll, 5);
  return {
    seen,
    stop() {
      clearInterval(timer);
      poll();
    },
  };
}

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `probe` every 20 ms until it is true (or throws after `ms`). */
export async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}
