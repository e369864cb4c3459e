import { loadConfig } from "../../config/index.ts";
import { selfCommand } from "../../self-command.ts";
import { attachToDaemon, runBridge, sharedSetup } from "../../serve/shared/index.ts";
import type { GlobalOptions } from "../context.ts";

/**
 * `hangar serve --shared`: attach to (or start) the per-user daemon of this config and pipe the
 * client's stdio to it. A broken config is reported here, before a daemon is started for it.
 */
export async function runSharedBridge(global: GlobalOptions, signal: AbortSignal): Promise<number> {
  const setup = await sharedSetup(global);
  const attach = () =>
    attachToDaemon({
      files: setup.files,
      daemonCommand: setup.daemonCommand,
      beforeStart: async () => {
        await loadConfig({ ...(global.config ? { path: global.config } : {}), selfCommand: selfCommand() });
      },
    });
  const socket = await attach();
  await runBridge({ socket, attach, signal });
  return 0;
}
