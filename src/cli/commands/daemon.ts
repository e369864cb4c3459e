import { UsageError } from "../../errors.ts";
import { runDaemon, sharedSetup } from "../../serve/shared/index.ts";
import { type GlobalOptions, openContext } from "../context.ts";
import { watchLifecycle } from "../lifecycle.ts";
import { type LiveReload, startLiveReload } from "../live-reload.ts";

/**
 * `hangar daemon --key K` (internal; started by `hangar serve --shared`): the shared daemon of this
 * config, working directory and environment. It does not follow the client that started it; it applies
 * edits of its config file live, as `hangar serve` does (issue 17), and SIGHUP reloads the file too;
 * SIGINT and SIGTERM stop it as `hangar stop` does.
 */
export async function runDaemonCommand(global: GlobalOptions, options: { key: string }): Promise<number> {
  process.umask(0o077);
  const setup = await sharedSetup(global);
  if (setup.key !== options.key)
    throw new UsageError("The config changed while the shared daemon started; the client will start a new one");
  let live: LiveReload | undefined;
  const lifecycle = watchLifecycle({ followParent: false, onHangup: () => void live?.reload("SIGHUP") });
  try {
    await runDaemon({
      key: setup.key,
      files: setup.files,
      signal: lifecycle.signal,
      openGateway: async (deps) => {
        const { gateway, logger, config } = await openContext(global, deps);
        live = await startLiveReload({ gateway, logger });
        return { gateway, logger, config };
      },
      currentKey: async () => (await sharedSetup(global)).key,
    });
  } finally {
    live?.close();
    lifecycle.dispose();
  }
  return 0;
}
