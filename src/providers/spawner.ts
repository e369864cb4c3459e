import { spawn } from "node:child_process";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ProviderError } from "../errors.ts";
import { bun, which } from "../runtime/index.ts";
import { BunOutput, BunStdin } from "./bun-pipes.ts";
import type { ChildOutput, ChildStdin } from "./child-io.ts";
import { defaultRunDir, RunRegistry } from "./run-registry.ts";
import { guardGroup } from "./watchdog.ts";

export type { ChildOutput, ChildStdin } from "./child-io.ts";

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
  readonly stdin: ChildStdin;
  readonly stdout: ChildOutput;
  readonly stderr: ChildOutput;
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
 * Starts real processes, each in its own process group, each recorded in the run registry and guarded
 * by a watchdog that stops the group (and removes its container) when hangar dies, even by SIGKILL. Under
 * Bun with `Bun.spawn` and Bun's own pipes (bun-pipes.ts), elsewhere with node:child_process.
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
  const cannotRun = (error?: unknown) =>
    new ProviderError(
      request.providerId,
      `Cannot start provider "${request.providerId}": "${request.command}" could not be run (${whyNotRun(error)})`,
      "provider_unavailable",
      false,
    );
  // Through group-exec, the chdir and exec that would fail happen in the helper: check them first.
  const cwd = request.cwd ?? process.cwd();
  if (groupExec !== undefined && !(executable(resolved) && isFolder(cwd))) throw cannotRun();
  const [file, ...args] =
    groupExec === undefined ? [resolved, ...request.args] : [...groupExec, cwd, resolved, ...request.args];
  // The helper starts in `/`, away from the folder's bunfig.toml and .env, and moves to `cwd` itself.
  const where = groupExec === undefined ? request.cwd : "/";
  const child =
    bun === undefined
      ? spawnWithNode(file!, args, request.env, where, groupExec === undefined, cannotRun)
      : spawnWithBun(bun, [file!, ...args], request.env, where, groupExec === undefined, cannotRun);
  const pid = child.pid;
  const watchdog = guardGroup(registry, request, pid, resolved);
  const exited = child.ended.then(async (status) => {
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

/** A child just started, before the watchdog guards it. */
interface Started extends Pick<ChildProcessHandle, "pid" | "stdin" | "stdout" | "stderr"> {
  readonly ended: Promise<{ code: number | null; signal: string | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Why the system would not start a program, in words: its arguments and environment too large (E2BIG), or
 * else what to check (the spawn error of node, which comes later as an event, is not known here).
 */
function whyNotRun(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "E2BIG") return "its arguments and environment are larger than the system allows";
  return "check its permissions and working directory";
}

/** Starts `file` with node:child_process (`detached`: a session and process group of its own). */
function spawnWithNode(
  file: string,
  args: readonly string[],
  env: SpawnRequest["env"],
  cwd: string | undefined,
  detached: boolean,
  cannotRun: (error?: unknown) => Error,
): Started {
  const child = spawn(file, args, {
    env: env as NodeJS.ProcessEnv,
    cwd,
    stdio: ["pipe", "pipe", "pipe"],
    detached,
  });
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  if (child.pid === undefined) throw cannotRun();
  return {
    pid: child.pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    ended,
    kill: (signal) => child.kill(signal),
  };
}

/** Starts `argv` with `Bun.spawn` and its own pipes (`detached`: `setsid()`, as node's option under Bun). */
function spawnWithBun(
  runtime: NonNullable<typeof bun>,
  argv: string[],
  env: SpawnRequest["env"],
  cwd: string | undefined,
  detached: boolean,
  cannotRun: (error?: unknown) => Error,
): Started {
  let ended!: (status: { code: number | null; signal: string | null }) => void;
  const status = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    ended = resolve;
  });
  let child: ReturnType<typeof runtime.spawn<"pipe", "pipe", "pipe">>;
  try {
    child = runtime.spawn(argv, {
      env: definedOnly(env),
      ...(cwd === undefined ? {} : { cwd }),
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      detached,
      onExit: (_child, code, signal) => ended({ code, signal: signal === null ? null : String(signal) }),
    });
  } catch (error) {
    // No such file, not executable, or no such working directory: Bun.spawn throws where node emits "error".
    throw cannotRun(error);
  }
  return {
    pid: child.pid,
    stdin: new BunStdin(child.stdin),
    stdout: new BunOutput(child.stdout),
    stderr: new BunOutput(child.stderr),
    ended: status,
    kill: (signal) => child.kill(signal),
  };
}

/** `env` without its undefined entries (what node's spawn leaves out by itself). */
function definedOnly(env: SpawnRequest["env"]): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const key in env) {
    const value = env[key];
    if (value !== undefined) defined[key] = value;
  }
  return defined;
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
