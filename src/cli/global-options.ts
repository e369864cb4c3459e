// Apart from context.ts (which loads the gateway) so that `hangar serve`'s early reader can read them too.

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
  logLevel?: string;
}

/** Whether live progress lines may be drawn on stderr: it is a terminal, and logs are quiet (warn or above). */
export function liveStderr(options: GlobalOptions): boolean {
  return Boolean(process.stderr.isTTY) && ["warn", "error", "fatal", "silent"].includes(logLevel(options));
}

/** The log level from `--log-level`, `$HANGAR_LOG_LEVEL` or `--verbose` (default "warn"). */
export function logLevel(options: GlobalOptions): string {
  return options.logLevel ?? process.env.HANGAR_LOG_LEVEL ?? (options.verbose ? "debug" : "warn");
}
