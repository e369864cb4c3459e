import { randomUUID } from "node:crypto";
import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { processAlive } from "./process-alive.ts";

/**
 * A lock file between processes: it holds its holder's pid, host and a nonce, and is put in place with
 * link(2), which fails when the file exists, so the lock never exists without its holder. A lock whose
 * holder on this host is dead, or older than `staleMs` (a pid of another host cannot be checked), is
 * taken over. What makes one shared daemon out of clients starting at once, and one refresh out of
 * hangars refreshing a stored OAuth sign-in at once.
 */
export class PidLock {
  private readonly holder = `${process.pid} ${hostname()} ${randomUUID()}`;

  constructor(
    private readonly path: string,
    /** A lock this old is stale whoever holds it, in ms (default 30000). */
    private readonly staleMs = 30_000,
  ) {}

  /** Takes the lock; false when another live process holds it. Throws when no lock can be made there (a read-only folder). */
  take(): boolean {
    const mine = `${this.path}.${process.pid}`;
    writeFileSync(mine, this.holder, { mode: 0o600 });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(mine, this.path);
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
          if (!this.stale()) return false;
          rmSync(this.path, { force: true });
        }
      }
      return false;
    } finally {
      rmSync(mine, { force: true });
    }
  }

  /** Gives the lock back, unless another process took it over meanwhile (it was stale). */
  release(): void {
    try {
      if (readFileSync(this.path, "utf8") === this.holder) rmSync(this.path, { force: true });
    } catch {
      // Gone already.
    }
  }

  private stale(): boolean {
    try {
      const age = Date.now() - statSync(this.path).mtimeMs;
      const [pid, host] = readFileSync(this.path, "utf8").split(" ");
      const holder = Number(pid);
      if (age > this.staleMs || !Number.isInteger(holder) || holder <= 0) return true;
      // A lock of an older hangar holds its pid alone: a pid of this host.
      return (host === undefined || host === hostname()) && !processAlive(holder);
    } catch {
      return false;
    }
  }
}
