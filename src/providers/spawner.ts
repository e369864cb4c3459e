import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { ProviderError } from "../errors.ts";
import { which } from "../runtime/index.ts";
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
}

/**
 * Starts real processes with node:child_process, each in its own process group (`detached`), each
 * recorded in the run registry and guarded by a watchdog that stops the group (and removes its
 * container) when hangar dies, even by SIGKILL.
 */
export function createSystemSpawner(options: SystemSpawnerOptions = {}): Spawner {
  return (request) => spawnGuarded(request, new RunRegistry(options.runDir ?? defaultRunDir()));
}

/** The spawner hangar uses: real processes, recorded under `$HANGAR_HOME/run` (default `~/.hangar/run`). */
export const systemSpawner: Spawner = createSystemSpawner();

function spawnGuarded(request: SpawnRequest, registry: RunRegistry): ChildProcessHandle {
  const resolved = resolveCommand(request.command, request.env, request.cwd);
  if (resolved === undefined) {
    throw new ProviderError(
      request.providerId,
      `Cannot start provider "${request.providerId}": command "${request.command}" not found on PATH`,
      "provider_unavailable",
      false,
    );
  }
  const child = spawn(resolved, [...request.args], {
    env: request.env as NodeJS.ProcessEnv,
    cwd: request.cwd,
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  const ended = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  if (child.pid === undefined) {
    throw new ProviderError(
      request.providerId,
      `Cannot start provider "${request.providerId}": "${request.command}" could not be run (check its permissions and working directory)`,
      "provider_unavailable",
      false,
    );
  }
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
