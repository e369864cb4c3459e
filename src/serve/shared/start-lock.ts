import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { processAlive } from "./process-alive.ts";

/**
 * The lock that makes one daemon out of clients starting at once: a file holding the pid of the client
 * that starts the daemon, put in place with link(2), which fails when the file exists (so the lock
 * never exists without its pid). A lock whose holder is dead, or older than `staleMs`, is taken over.
 */
export class StartLock {
  constructor(
    private readonly path: string,
    /** A lock this old is stale whoever holds it, in ms (default 30000). */
    private readonly staleMs = 30_000,
  ) {}

  /** Takes the lock; false when another live process holds it. */
  take(): boolean {
    const mine = `${this.path}.${process.pid}`;
    writeFileSync(mine, String(process.pid), { mode: 0o600 });
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

  /** Gives the lock back. */
  release(): void {
    rmSync(this.path, { force: true });
  }

  private stale(): boolean {
    try {
      const age = Date.now() - statSync(this.path).mtimeMs;
      const holder = Number(readFileSync(this.path, "utf8"));
      return age > this.staleMs || !Number.isInteger(holder) || holder <= 0 || !processAlive(holder);
    } catch {
      return false;
    }
  }
}
