import { existsSync } from "node:fs";
import * as nodePath from "node:path";
import { fileURLToPath } from "node:url";
import { deno } from "../runtime/index.ts";
import type { McpServerEntry } from "./types.ts";

/**
 * The argv prefix that runs the library's demo provider (`<prefix> demo-provider --name <id>`): its script
 * beside this module, `demo-provider.ts` from source or `demo-provider.js` in the built package, run by
 * the runtime running the library (node, bun, or `deno run -A`).
 */
export function demoCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  const ts = nodePath.join(nodePath.dirname(here), "demo-provider.ts");
  const script =
    here.endsWith(".ts") && existsSync(ts) ? ts : nodePath.join(nodePath.dirname(here), "demo-provider.js");
  return deno ? [deno.execPath(), "run", "-A", script] : [process.execPath, script];
}

/**
 * Hangar's two demo providers, `demo` and `demo2` (tools `sleep`, `echo`, `add`, `fail`, `info`), as
 * `mcpServers` entries: try Hangar, or mix them with your own servers.
 */
export function demoServers(): Record<"demo" | "demo2", McpServerEntry> {
  const [command, ...args] = demoCommand() as [string, ...string[]];
  const entry = (id: string): McpServerEntry => ({ command, args: [...args, "demo-provider", "--name", id] });
  return { demo: entry("demo"), demo2: entry("demo2") };
}
