import { randomUUID } from "node:crypto";
import { readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { processAlive } from "../serve/shared/process-alive.ts";

/** A lock this old is taken over whoever holds it, in ms: a refresh is one request, far shorter. */
export const REFRESH_LOCK_STALE_MS = 30_000;

/** How often a process waiting for the lock tries again, in ms. */
const POLL_MS = 20;

/** A held refresh lock; `release` gives it back (and never removes a lock another process took over). */
export interface RefreshLock {
  release(): Promise<void>;
}

/**
 * Takes the lock file at `path` (beside a stored sign-in) so that one process at a time refreshes that
 * sign-in: created with O_EXCL (`wx`), holding the taker's pid, host and a nonce; waits while another
 * live process holds it. A lock whose holder on this host is gone, or older than `staleMs`, is taken
 * over (a holder killed mid-refresh). Undefined when the lock cannot be made (a read-only folder, such
 * as a Secret mount): no other process can then store tokens there for this one to take, so the
 * refresh goes ahead unlocked.
 */
export async function takeRefreshLock(path: string, staleMs = REFRESH_LOCK_STALE_MS): Promise<RefreshLock | undefined> {
  const nonce = randomUUID();
  const holder = `${process.pid} ${hostname()} ${nonce}\n`;
  for (;;) {
    try {
      await writeFile(path, holder, { mode: 0o600, flag: "wx" });
      return {
        async release() {
          const text = await readFile(path, "utf8").catch(() => "");
          if (text.includes(nonce)) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
    }
    if (await stale(path, staleMs)) {
      // Two waiters may both judge it stale; the O_EXCL create above still lets only one of them in
      // unless the second removes the first's fresh lock, a window of microseconds after a crash, and
      // the invalid_grant re-read in UpstreamAuth covers that.
      await rm(path, { force: true });
      continue;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Whether the lock at `path` is to be taken over: older than `staleMs`, or its holder on this host is gone. */
async function stale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(path), readFile(path, "utf8")]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const [pid, host] = text.split(" ");
    // Only a pid of this host can be checked; a just-created lock has no text yet and is not stale.
    return host === hostname() && Number(pid) > 0 && !processAlive(Number(pid));
  } catch {
    // Released meanwhile: try to take it again.
    return false;
  }
}
