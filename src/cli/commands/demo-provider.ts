import type { Command } from "commander";
import { runDemoProvider } from "../../demo/demo-provider.ts";

/** Registers `hangar demo-provider`, the built-in demo MCP server over stdio. */
export function registerDemoProvider(program: Command, run: (work: () => Promise<number>) => void): void {
  program
    .command("demo-provider")
    .description("Run the built-in demo MCP server over stdio (tools: sleep, echo, add, fail, info)")
    .option("--name <name>", "the name it reports", "demo")
    .action((options: { name: string }) =>
      run(async () => {
        await runDemoProvider({ name: options.name });
        return await new Promise<number>(() => {}); // Serves until stdin closes; runDemoProvider exits.
      }),
    );
}
