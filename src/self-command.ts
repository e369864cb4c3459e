import { bun, deno } from "./runtime/index.ts";

/**
 * The argv that runs this same hangar again: the executable alone when compiled, `bun <main.ts>` from
 * source, `deno run -A <main.ts>` under Deno (with the deno.json beside src/, for its node_modules setting).
 */
export function selfCommand(): string[] {
  if (!bun && deno) {
    const { fileURLToPath } = process.getBuiltinModule("node:url");
    const { dirname, join } = process.getBuiltinModule("node:path");
    const { existsSync } = process.getBuiltinModule("node:fs");
    const main = fileURLToPath(deno.mainModule);
    const config = join(dirname(dirname(main)), "deno.json");
    return [deno.execPath(), "run", "-A", ...(existsSync(config) ? ["--config", config] : []), main];
  }
  const main = bun?.main ?? process.argv[1] ?? "";
  const compiled = main.startsWith("/$bunfs/") || /^[A-Z]:\\~BUN\\/.test(main);
  return compiled ? [process.execPath] : [process.execPath, main];
}
