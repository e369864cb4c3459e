import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DIST_HANGAR } from "./paths.ts";

/** A private HOME and working directory, so no user config is found, and an environment without HANGAR_*. */
export function isolatedEnv(extra: Record<string, string> = {}): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), "hangar-e2e-"));
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("HANGAR_")) env[key] = value;
  return { dir, env: { ...env, HOME: dir, NO_COLOR: "1", ...extra } };
}

/** What a finished hangar run printed. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `dist/hangar` with `args` in an isolated environment and waits for it to exit. */
export async function runHangar(args: string[], options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {}): Promise<RunResult> {
  const base = isolatedEnv();
  const child = Bun.spawn([DIST_HANGAR, ...args], {
    cwd: options.cwd ?? base.dir,
    env: options.env ?? base.env,
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

/** The argv of a configured demo provider that runs the compiled binary. */
export function demoCommand(name: string): string {
  return JSON.stringify([DIST_HANGAR, "demo-provider", "--name", name]);
}
