import { PidLock } from "../runtime/index.ts";

/** A lock this old is taken over whoever holds it, in ms: a refresh is one request, far shorter. */
export const REFRESH_LOCK_STALE_MS = 30_000;

/** How often a process waiting for the lock tries again, in ms. */
const POLL_MS = 20;

/** A held refresh lock; `release` gives it back (and never removes a lock another process took over). */
export interface RefreshLock {
  release(): void;
}

/**
 * Takes the lock file at `path` (beside a stored sign-in) so that one process at a time refreshes that
 * sign-in, waiting while another live process holds it (a `PidLock`: taken over when its holder is gone
 * or it is older than `staleMs`). Undefined when no lock can be made there (a read-only folder, such as
 * a Secret mount): no other process can then store tokens there for this one to take, so the refresh
 * goes ahead unlocked.
 */
export async function takeRefreshLock(path: string, staleMs = REFRESH_LOCK_STALE_MS): Promise<RefreshLock | undefined> {
  const lock = new PidLock(path, staleMs);
  for (;;) {
    try {
      if (lock.take()) return lock;
    } catch {
      return undefined;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
