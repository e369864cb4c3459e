import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository root. */
export const ROOT = resolve(import.meta.dir, "../..");
/** The Bun running the tests. */
export const BUN = process.execPath;
/** The compiled binary that scripts/test.sh builds before the suite. */
export const DIST_HANGAR = join(ROOT, "dist/hangar");
/** How to run hangar: the compiled binary when it has been built, the source otherwise. */
export const HANGAR: readonly string[] = existsSync(DIST_HANGAR) ? [DIST_HANGAR] : [BUN, join(ROOT, "src/main.ts")];
/** A fixture server under tests/fixtures, run with Bun. */
export function fixture(name: string): string[] {
  return [BUN, join(ROOT, "tests/fixtures", name)];
}
/** A bin script of an npm dev dependency (the reference MCP servers), run with Bun. */
export function npmServer(pkg: string, main = "dist/index.js"): string[] {
  return [BUN, join(ROOT, "node_modules", pkg, main)];
}
