import { watchConfigFile } from "../config/watch.ts";
import { messageOf } from "../errors.ts";
import { ConfigReloader, type Gateway, type ReloadResult, type ReloadTrigger } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";

/** Options of `startLiveReload`; every field says its default. */
export interface LiveReloadOptions {
  readonly gateway: Gateway;
  readonly logger: Logger;
  /** Told how each reload ended (default nothing; `serve` counts them in its metrics). */
  readonly onResult?: (result: ReloadResult) => void;
  /** Watch the config file (default true); false leaves only `reload` (SIGHUP). */
  readonly watch?: boolean;
  /** Quiet time after a burst of file events before reloading, in ms (default 200). */
  readonly debounceMs?: number;
  /** Where to remember which config texts Bun's YAML parser reads right (default: nowhere; see `loadCommandConfig`). */
  readonly yamlMemoDir?: string;
}

/** A running live reload: what SIGHUP calls, and how to stop watching. */
export interface LiveReload {
  reload(trigger: ReloadTrigger): Promise<ReloadResult | undefined>;
  close(): void;
}

/**
 * `hangar serve`'s live reload: watches the config file (when there is one) and applies each new valid
 * version to the running gateway; `reload` is there for SIGHUP. `${VAR}` values stay those of hangar's
 * environment at its start.
 */
export async function startLiveReload(options: LiveReloadOptions): Promise<LiveReload> {
  const { gateway, logger } = options;
  const reloader = new ConfigReloader({
    gateway,
    logger,
    ...(options.onResult ? { onResult: options.onResult } : {}),
    ...(options.yamlMemoDir === undefined ? {} : { yamlMemoDir: options.yamlMemoDir }),
  });
  await reloader.remember();
  const path = options.watch === false ? undefined : reloader.path;
  const watch =
    path === undefined
      ? undefined
      : watchConfigFile({
          path,
          clock: gateway.clock,
          ...(options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs }),
          onChange: () => void reloader.reload("file"),
          onError: (error, dir) =>
            logger.warn({ dir, err: messageOf(error) }, "cannot watch the config's folder; SIGHUP still reloads"),
        });
  if (path !== undefined) logger.info({ path }, "watching the config file; changes apply live");
  return { reload: (trigger) => reloader.reload(trigger), close: () => watch?.close() };
}
