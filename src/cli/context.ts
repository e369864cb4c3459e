import type { ResolvedConfig } from "../config/index.ts";
// load.ts, not the folder's index: the index also exports the parser, which a command that loaded its
// config already (`hangar call`) does not need.
import { describeSource } from "../config/load.ts";
import { Gateway, type GatewayDeps } from "../gateway/index.ts";
import { combineRecorders } from "../observability/combine-recorders.ts";
import { createLogger, type Logger } from "../observability/log.ts";
import { type Observability, openObservability } from "../observability/open-observability.ts";
import { noopRecorder } from "../observability/recorder.ts";
import { openPins } from "../pinning/index.ts";
import { describeReaped, hadLeftovers, RunRegistry } from "../providers/index.ts";
import { CatalogCache } from "../serve/catalog-cache.ts";
import { loadCommandConfig } from "./command-config.ts";
import { type GlobalOptions, logLevel } from "./global-options.ts";

export type { GlobalOptions } from "./global-options.ts";

/** What a command that talks to providers needs: the resolved config, a logger and the gateway. */
export interface CommandContext {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly gateway: Gateway;
  /** Metrics (when asked for) and tracing (when an OTLP endpoint is set); the gateway records into them. */
  readonly observability: Observability;
  /** Providers' cached catalogs and era verdicts (the gateway remembers eras in it). */
  readonly cache: CatalogCache;
}

/** What a command wants besides the gateway; every field says its default. */
export interface ContextOptions {
  /** Keep Prometheus metrics, for `/metrics` (default false). */
  readonly metrics?: boolean;
  /** The config, already loaded by the command (default: loaded here, from `--config` or the usual places). */
  readonly config?: ResolvedConfig;
}

export { liveStderr, logLevel } from "./global-options.ts";

/**
 * Loads the config (saying so in one line when it falls back to the demo providers) and builds the
 * gateway; a `deps.recorder` is told everything beside observability's own.
 */
export async function openContext(
  options: GlobalOptions,
  deps: Pick<GatewayDeps, "bridge" | "recorder" | "spawner"> = {},
  wants: ContextOptions = {},
): Promise<CommandContext> {
  const logger = createLogger({ level: logLevel(options) });
  const config = wants.config ?? (await loadCommandConfig(options));
  if (config.source.kind === "demo") process.stderr.write(`${describeSource(config)}\n`);
  else logger.info(describeSource(config));
  for (const reaped of await new RunRegistry().reap()) {
    if (!hadLeftovers(reaped)) continue;
    const { provider, owner, container } = reaped.entry;
    logger.warn(
      {
        provider,
        owner_pid: owner.pid,
        pids: reaped.pids,
        ...(reaped.containerRemoved ? { container: container?.name } : {}),
      },
      `removed what a killed hangar left: ${describeReaped(reaped)}`,
    );
  }
  const observability = await openObservability({ logger, metrics: wants.metrics ?? false });
  const recorder = combineRecorders(observability.recorder, deps.recorder ?? noopRecorder);
  const pins = openPins(config, { logger });
  // Providers' protocol eras are remembered beside their cached catalogs: a start sends no probe.
  const cache = new CatalogCache();
  const gateway = new Gateway(config, {
    logger,
    eras: cache,
    ...deps,
    recorder,
    ...(pins ? { pins } : {}),
  });
  observability.watch(gateway);
  return { config, logger, gateway, observability, cache };
}
