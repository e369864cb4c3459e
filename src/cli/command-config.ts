import type { ResolvedConfig } from "../config/index.ts";
import { loadConfig } from "../config/load.ts";
import { selfCommand } from "../self-command.ts";
import { defaultCacheDir } from "../serve/catalog-cache.ts";

/**
 * Loads the config from `--config` or the usual places. An unchanged YAML config is read by Bun's native
 * parser once the yaml library was seen to read it the same (that verdict is kept in the cache folder).
 * Apart from context.ts so that a command can read its config before it loads the gateway.
 */
export function loadCommandConfig(options: { readonly config?: string | undefined }): Promise<ResolvedConfig> {
  return loadConfig({
    ...(options.config ? { path: options.config } : {}),
    selfCommand: selfCommand(),
    yamlMemoDir: defaultCacheDir(),
  });
}
