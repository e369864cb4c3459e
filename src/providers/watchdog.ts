/**
 * A process group's watchdog: a tiny `sh` that outlives hangar on purpose. Hangar holds the only write
 * end of the pipe on its stdin, so the watchdog learns of hangar's death however it died (SIGKILL
 * included) from the end of that pipe, with no polling and no pid that could be reused. Bun has no
 * parent-death signal (PR_SET_PDEATHSIG) for its children, and that would reach only the direct child
 * anyway; the watchdog stops the whole group and the container.
 *
 * - hangar writes a line: the provider's leader has exited; SIGKILL whatever is left in its group now.
 * - hangar writes `done` (and kills it): hangar stopped the group and removed the file itself; exit at once.
 * - the pipe ends (hangar is gone): SIGTERM to the group, SIGKILL after the grace.
 * Either way it then runs `docker rm -f <container>` (docker providers) and deletes the group's
 * run-registry file, and exits.
 */

import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { processRow } from "./process-table.ts";
import { currentOwner, type RunRegistry } from "./run-registry.ts";

/** The watchdog, run as `sh -c SCRIPT hangar-watchdog <pgid> <grace in tenths> <entry file> [docker rm -f name]`. */
const SCRIPT = `trap '' INT HUP
pg=$1 tenths=$2 entry=$3
shift 3
if read -r line; then
  [ "$line" = done ] && exit 0
  kill -KILL -"$pg" 2>/dev/null
elif kill -0 -"$pg" 2>/dev/null; then
  kill -TERM -"$pg" 2>/dev/null
  n=0
  while [ "$n" -lt "$tenths" ] && kill -0 -"$pg" 2>/dev/null; do sleep 0.1; n=$((n+1)); done
  kill -KILL -"$pg" 2>/dev/null
fi
if [ "$#" -gt 0 ]; then "$@" >/dev/null 2>&1; fi
if [ -n "$entry" ]; then rm -f "$entry"; fi
exit 0`;

/** What a watchdog guards; every field says its default. */
export interface WatchdogOptions {
  /** The process group to stop (its leader's pid). */
  readonly pgid: number;
  /** How long the group gets between SIGTERM and SIGKILL once hangar is gone, in ms (default 2000). */
  readonly graceMs?: number;
  /** The run-registry file to delete once the group is gone (default none). */
  readonly entryPath?: string;
  /** The container to remove after the group: `docker rm -f` with this client (default none). */
  readonly container?: { readonly name: string; readonly docker: string };
  /** The watchdog's environment (the docker client's, for `docker rm`). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A started watchdog. */
export interface Watchdog {
  /**
   * Tells it the leader has exited; resolves once the group is stopped, the container removed and the
   * watchdog gone (without a container, hangar stops the group and removes the file itself).
   */
  release(): Promise<void>;
}

/** Starts a watchdog in its own process group (terminal signals to hangar's group do not reach it). */
export function startWatchdog(options: WatchdogOptions): Watchdog {
  const tenths = Math.ceil((options.graceMs ?? 2000) / 100);
  const remove = options.container ? [options.container.docker, "rm", "-f", options.container.name] : [];
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(
      "/bin/sh",
      ["-c", SCRIPT, "hangar-watchdog", String(options.pgid), String(tenths), options.entryPath ?? "", ...remove],
      { stdio: ["pipe", "ignore", "ignore"], detached: true, env: options.env as NodeJS.ProcessEnv },
    );
  } catch {
    return { release: async () => {} };
  }
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  child.stdin?.on("error", () => {});
  // Neither the watchdog nor its pipe keeps hangar running.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release() {
      // Waited for now: under Node an unref'd child's exit would not keep the event loop alive to be seen.
      child.ref();
      if (!options.container) {
        // Nothing slow to wait for: stop what is left of the group and drop the file here, and tell the
        // watchdog it is done (its own `rm` would cost hangar's exit the start of a process).
        try {
          process.kill(-options.pgid, "SIGKILL");
        } catch {
          // The group is gone already.
        }
        try {
          if (options.entryPath) rmSync(options.entryPath, { force: true });
        } catch {
          // Not ours to remove any more; the next hangar's reaping skips a dead group's file.
        }
      }
      if (options.container) child.stdin?.end("\n");
      else {
        // Its work is done: ended at once, rather than waiting for the shell to start (if it has not yet),
        // read `done` and exit, which cost a short `hangar call` 5–20 ms at its exit.
        child.stdin?.end("done\n");
        child.kill("SIGKILL");
      }
      // A hung `docker rm` (a daemon that does not answer) must not hold hangar's shutdown forever.
      return Promise.race([exited, new Promise<void>((resolve) => setTimeout(resolve, 15_000).unref())]);
    },
  };
}

/**
 * Records a just-started provider process (leader of group `pid`) in `registry` and starts its
 * watchdog; `docker` is the resolved docker client when the request runs a container.
 */
export function guardGroup(
  registry: RunRegistry,
  request: { readonly providerId: string; readonly env: WatchdogOptions["env"]; readonly container?: string },
  pid: number,
  docker: string,
): Watchdog {
  const container = request.container === undefined ? undefined : { name: request.container, docker };
  const entryPath = registry.record({
    owner: currentOwner(),
    provider: request.providerId,
    pid,
    start: processRow(pid)?.start ?? 0,
    ...(container ? { container } : {}),
  });
  return startWatchdog({
    pgid: pid,
    env: request.env,
    ...(entryPath === undefined ? {} : { entryPath }),
    ...(container ? { container } : {}),
  });
}
