/** Log levels a user can pick with `--log-level` / `$HANGAR_LOG_LEVEL` (its own file: the CLI reads it without loading pino). */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
