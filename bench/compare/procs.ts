// Process facts for the peer comparison, read from /proc (Linux): descendants, resident memory, and a
// watcher that remembers every provider process it ever saw below a root (to count starts).
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { argvOf } from "../../tests/helpers/e2e.ts";
import { descendants } from "../../tests/helpers/processes.ts";

export { argvOf } from "../../tests/helpers/e2e.ts";
// The process-tree readers are the test suite's own.
export { descendants } from "../../tests/helpers/processes.ts";

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
    for (const root of roots())
      for (const pid of descendants(root)) if (!seen.has(pid) && isProvider(pid)) seen.add(pid);
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
