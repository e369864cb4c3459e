import { join } from "node:path";
import { ROOT } from "./paths.ts";

/**
 * The deno binary of the devDependency (its platform package, e.g. @deno/linux-x64-glibc, found by the
 * package's own resolver), or why it cannot run here. Not node_modules/.bin/deno: that is a Node script.
 */
export function findDeno(): { path: string } | { reason: string } {
  let path: string;
  try {
    const resolver = require(join(ROOT, "node_modules/deno/install_api.cjs")) as { runInstall(): string };
    path = resolver.runInstall();
  } catch (error) {
    return { reason: `the deno package or its binary for this platform is missing (${(error as Error).message})` };
  }
  const run = Bun.spawnSync([path, "--version"], { stdout: "pipe", stderr: "pipe" });
  if (run.exitCode !== 0) return { reason: `\`${path} --version\` failed: ${run.stderr.toString().trim()}` };
  return { path };
}
