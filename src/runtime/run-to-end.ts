import { spawn, spawnSync } from "node:child_process";

/** How a program that ran to its end finished, and what it printed. */
export interface Finished {
  /** Its exit code; null when a signal ended it. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of `runToEnd`; every field says its default. */
export interface RunToEndOptions {
  /** The program's whole environment (default: hangar's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Killed with SIGKILL after this many ms (default: never). */
  readonly timeoutMs?: number;
}

/**
 * Runs `argv` (stdin closed) until it exits and gives its output; rejects when it cannot be started.
 * node:child_process, which Bun and Deno both provide (and Bun has loaded already: it costs nothing).
 */
export function runToEnd(argv: readonly string[], options: RunToEndOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const [command, ...args] = argv;
    const child = spawn(command ?? "", args, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.env ? { env: options.env as NodeJS.ProcessEnv } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer =
      options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    });
  });
}

/** `runToEnd` that blocks until the program exits; its stdout, or "" when it could not be started. */
export function runToEndSync(argv: readonly string[]): string {
  const [command, ...args] = argv;
  const result = spawnSync(command ?? "", args, { stdio: ["ignore", "pipe", "ignore"], encoding: "utf8" });
  return result.stdout ?? "";
}
