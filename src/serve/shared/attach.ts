import { spawn } from "node:child_process";
import { readFileSync, statSync, truncateSync } from "node:fs";
import { HangarError } from "../../errors.ts";
import { PidLock, processAlive } from "../../runtime/index.ts";
import { DaemonLink } from "./daemon-link.ts";
import { helloLine } from "./hello.ts";
import type { DaemonFiles } from "./run-dir.ts";

/** What `attachToDaemon` needs; every field says its default. */
export interface AttachOptions {
  readonly files: DaemonFiles;
  /** The argv that runs the daemon (`hangar [--config …] daemon --key …`). */
  readonly daemonCommand: readonly string[];
  /** Called once before a daemon is started, e.g. to check the config (so its error is the client's). */
  readonly beforeStart?: () => Promise<void>;
  /** How long a starting daemon may take to listen, in ms (default 30000). */
  readonly startTimeoutMs?: number;
}

/** How often a waiting client tries the socket again, in ms. */
const RETRY_MS = 15;
/** A daemon log larger than this is emptied when the next daemon starts. */
const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Connects to the daemon's socket and says hello, starting the daemon first when none listens. Clients
 * starting at once make one daemon: the one that takes the start lock starts it, the others wait for
 * its socket.
 */
export async function attachToDaemon(options: AttachOptions): Promise<DaemonLink> {
  const { files } = options;
  const hello = helloLine({ op: "attach", pid: process.pid });
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  const lock = new PidLock(files.lock);
  let checked = false;
  for (;;) {
    const socket = await DaemonLink.connect(files.socket);
    if (socket !== undefined) {
      socket.write(hello);
      return socket;
    }
    if (!checked && options.beforeStart) {
      await options.beforeStart();
      checked = true;
    }
    if (lock.take()) {
      try {
        const again = await DaemonLink.connect(files.socket);
        if (again !== undefined) {
          again.write(hello);
          return again;
        }
        const started = await startDaemon(options, deadline);
        started.write(hello);
        return started;
      } finally {
        lock.release();
      }
    }
    if (Date.now() > deadline)
      throw new HangarError(`Timed out waiting for the shared Hangar daemon to start (see ${files.log})`);
    await sleep(RETRY_MS);
  }
}

/**
 * Starts the daemon through `sh`, which puts it in the background and exits: the daemon is no child of
 * this client (a client that kills its server's process tree never reaches it), has its own session,
 * and writes its stdout and stderr to its log. Then waits until its socket answers.
 */
async function startDaemon(options: AttachOptions, deadline: number): Promise<DaemonLink> {
  const { files } = options;
  // The log is appended to across restarts (a crash stays readable), and cut back when it grows large.
  if ((statSync(files.log, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) truncateSync(files.log);
  const script = 'log=$1; shift; "$@" </dev/null >>"$log" 2>&1 & echo $!';
  const child = spawn("/bin/sh", ["-c", script, "sh", files.log, ...options.daemonCommand], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve) => child.on("close", () => resolve()));
  const pid = Number(output.trim());
  for (;;) {
    const socket = await DaemonLink.connect(files.socket);
    if (socket !== undefined) return socket;
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid))
      throw new HangarError(`The shared Hangar daemon exited at start: ${tail(files.log)}`);
    if (Date.now() > deadline)
      throw new HangarError(`Timed out waiting for the shared Hangar daemon to start (see ${files.log})`);
    await sleep(RETRY_MS);
  }
}

/** The last lines of the daemon's log, for the error a client shows. */
function tail(path: string): string {
  try {
    const lines = readFileSync(path, "utf8").trim().split("\n");
    return lines.slice(-3).join(" ") || "(its log is empty)";
  } catch {
    return "(no log)";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
