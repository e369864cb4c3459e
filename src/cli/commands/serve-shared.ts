import { UsageError } from "../../errors.ts";
import { selfCommand } from "../../self-command.ts";
import { attachToDaemon, runBridge, sharedSetup } from "../../serve/shared/client.ts";
import type { GlobalOptions } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import type { ServeOptions } from "./serve.ts";

/**
 * `hangar serve --shared` (or `shared: true`): attach to (or start) the per-user daemon of this config
 * and pipe the client's stdio to it until the client leaves. A broken config is reported here, before a
 * daemon is started for it. Loads none of the MCP front, so it answers within milliseconds.
 */
export async function runSharedServe(global: GlobalOptions, options: ServeOptions = {}): Promise<number> {
  const others = ["http", "host", "port", "token", "protectHealth", "bodyTimeout", "idleTimeout", "metricsPort"];
  if (others.some((key) => options[key as keyof ServeOptions] !== undefined))
    throw new UsageError("--shared is for stdio clients; it does not go with --http, its options or --metrics-port");
  const lifecycle = watchLifecycle();
  try {
    const setup = await sharedSetup(global);
    const attach = () =>
      attachToDaemon({
        files: setup.files,
        daemonCommand: setup.daemonCommand,
        beforeStart: async () => {
          const { loadConfig } = await import("../../config/index.ts");
          await loadConfig({ ...(global.config ? { path: global.config } : {}), selfCommand: selfCommand() });
        },
      });
    const socket = await attach();
    await runBridge({ socket, attach, signal: lifecycle.signal });
    return 0;
  } finally {
    lifecycle.dispose();
  }
}
