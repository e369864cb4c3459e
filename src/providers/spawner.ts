import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { ProviderError } from "../errors.ts";
import { bun, which } from "../runtime/index.ts";
import { defaultRunDir, RunRegistry } from "./run-registry.ts";
import { guardGroup } from "./watchdog.ts";

/** What to run: argv, environment and working directory. */
export interface SpawnRequest {
  readonly providerId: string;
  readonly command: string;
  readonly args: readonly string[];
  /** The child's whole environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string | undefined;
  /** The container this process runs (docker providers), removed with `docker rm -f` once it stops. */
  readonly container?: string;
}

/** A running child process, the leader of its own process group. */
export interface ChildProcessHandle {
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process has exited and its group (and container) are gone. */
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  /** Sends `signal` to the child's whole process group (the child and anything it started). */
  killGroup(signal: NodeJS.Signals): void;
}

/** The seam through which Hangar starts processes; tests wrap it to count or fake spawns. */
export type Spawner = (request: SpawnRequest) => ChildProcessHandle;

/**
 * Finds `command` the way a shell would, on the child's PATH (hangar's own when the child has none, as
 * with `env_inherit: none`); undefined when it is not there.
 */
function resolveCommand(command: string, env: SpawnRequest["env"], cwd: string | undefined): string | undefined {
  if (command.includes("/")) return command;
  return which(command, { PATH: env.PATH ?? process.env.PATH ?? "", cwd: cwd ?? process.cwd() });
}

/** Options of `createSystemSpawner`; every field says its default. */
export interface SystemSpawnerOptions {
  /** Where process groups are recorded for reaping after a crash (default `$HANGAR_HOME/run`, read at spawn). */
  readonly runDir?: string;
  /**
   * The session a provider runs in (default "own"). "own": Bun's `detached`, which is `setsid()`, a session
   * and a process group of its own. "hangar": hangar's session, still leading a process group of its own,
   * through `hangar __group-exec` (group-exec.ts) — where sessions matter: on Linux with scheduling
   * autogroups on (one per session; across two, hangar and its provider preempt each other message by
   * message under load: bench/README.md, "stop 11"), under Bun; elsewhere as "own". It costs each start
   * the start of a short-lived hangar (~8 ms), so it is for long-lived fronts (`hangar serve`).
   */
  readonly session?: "own" | "hangar";
}

/**
 * Starts real processes with node:child_process, each in its own process group, each recorded in the
 * run registry and guarded by a watchdog that stops the group (and removes its container) when hangar
 * dies, even by SIGKILL.
 */
export function createSystemSpawner(options: SystemSpawnerOptions = {}): Spawner {
  const viaGroupExec = options.session === "hangar" ? groupExecCommand() : undefined;
  return (request) => spawnGuarded(request, new RunRegistry(options.runDir ?? defaultRunDir()), viaGroupExec);
}

/** The argv that runs group-exec.ts, when a provider's session matters here (see `session`); else undefined. */
function groupExecCommand(): string[] | undefined {
  if (process.platform !== "linux" || bun === undefined) return undefined;
  try {
    if (readFileSync("/proc/sys/kernel/sched_autogroup_enabled", "utf8").trim() !== "1") return undefined;
  } catch {
    return undefined;
  }
  const compiled = import.meta.path.startsWith("/$bunfs/");
  return compiled ? [process.execPath, "__group-exec"] : [process.execPath, join(import.meta.dir, "group-exec.ts")];
}

/** The spawner hangar uses: real processes, recorded under `$HANGAR_HOME/run` (default `~/.hangar/run`). */
export const systemSpawner: Spawner = createSystemSpawner();

function spawnGuarded(
  request: SpawnRequest,
  registry: RunRegistry,
  groupExec: readonly string[] | undefined,
): ChildProcessHandle {
  const resolved = resolveCommand(request.command, request.env, request.cwd);
  if (resolved === undefined) {
    throw new ProviderError(
      request.providerId,
      `Cannot start provider "${request.providerId}": command "${request.command}" not found on PATH`,
      "provider_unavailable",
      false,
    );
  }
  const cannotRun = () =>
    new ProviderError(
      request.providerId,
      `Cannot start provider "${request.providerId}": "${request.command}" could not be run (check its permissions and working directory)`,
      "provider_unavailable",
      false,
    );
  // Through group-exec, the chdir and exec that would fail happen in the helper: check them first.
  const cwd = request.cwd ?? process.cwd();
  if (groupExec !== undefined && !(executable(resolved) && isFolder(cwd))) throw cannotRun();
  const [file, ...args] =
    groupExec === undefined ? [resolved, ...request.args] : [...groupExec, cwd, resolved, ...request.args];
  const child = spawn(file!, args, {
    env: request.env as NodeJS.ProcessEnv,
    // The helper starts in `/`, away from the folder's bunfig.toml and .env, and moves to `cwd` itself.
    cwd: groupExec === undefined ? request.cwd : "/",
    stdio: ["pipe", "pipe", "pipe"],
    detached: groupExec === undefined,
  });
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  if (child.pid === undefined) throw cannotRun();
  const pid = child.pid;
  const watchdog = guardGroup(registry, request, pid, resolved);
  const exited = ended.then(async (status) => {
    await watchdog.release();
    return status;
  });
  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    killGroup(signal) {
      try {
        process.kill(-pid, signal);
      } catch {
        try {
          child.kill(signal);
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** Whether `path` is a folder. */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `path` is a file this process may execute. */
function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
