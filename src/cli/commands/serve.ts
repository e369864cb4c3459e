import type { Command } from "commander";
import { serveStdio } from "../../serve/index.ts";
import { openContext, type GlobalOptions } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";

/** `hangar serve`: Hangar as an MCP server over stdio, until the client closes stdin or a signal arrives. */
export async function runServe(global: GlobalOptions): Promise<number> {
  const lifecycle = watchLifecycle();
  try {
    await serveStdio({ openGateway: (deps) => openContext(global, deps), signal: lifecycle.signal });
    return 0;
  } finally {
    lifecycle.dispose();
  }
}

/** Registers `hangar serve` on the program. */
export function registerServe(program: Command, run: (work: () => Promise<number>) => void): void {
  program
    .command("serve")
    .description("Serve Hangar as an MCP server over stdio (for Claude Code, Claude Desktop, any MCP client)")
    .addHelpText(
      "after",
      `
Tools: hangar_call (a batch of calls in parallel), hangar_tools (providers and their tools),
hangar_status (providers' health), and every exposed provider tool as <provider>__<tool>.
Prompts and resources of exposed providers are served too. Logs go to stderr; stdout is JSON-RPC only.
Catalogs are cached in $HANGAR_CACHE_DIR (default ~/.hangar/cache), so tools/list answers at once.

Claude Code:     claude mcp add hangar -- hangar serve
Claude Desktop:  {"mcpServers": {"hangar": {"command": "hangar", "args": ["serve"]}}}`,
    )
    .action((_options: object, command: Command) => run(() => runServe(command.optsWithGlobals<GlobalOptions>())));
}
