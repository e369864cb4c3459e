import type { DemoState } from "./demo-answers.ts";
import { runDemoFront } from "./demo-front.ts";
import type { DemoProviderOptions } from "./demo-server.ts";

export type { DemoProviderOptions } from "./demo-server.ts";

/**
 * Runs the demo provider over stdio until stdin closes or a signal asks it to stop. Its everyday
 * 2026-07-28 requests are answered by the front without the MCP SDK (demo-front.ts); anything else loads
 * the SDK's `serveStdio`, which serves both protocol eras: 2026-07-28 clients (`server/discover`) and
 * 2025 ones (`initialize`).
 */
export async function runDemoProvider(options: DemoProviderOptions = {}): Promise<void> {
  const state: DemoState = { name: options.name ?? "demo", calls: 0 };
  runDemoFront({
    state,
    async startSdk(input, output) {
      const [{ serveStdio, StdioServerTransport }, { createDemoServer }] = await Promise.all([
        import("@modelcontextprotocol/server/stdio"),
        import("./demo-server.ts"),
      ]);
      // serveStdio keeps serving after its input ends; the front exits when its client goes away.
      return serveStdio(() => createDemoServer(options, state), {
        transport: new StdioServerTransport(input, output),
      });
    },
  });
}
