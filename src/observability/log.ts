import pino, { type Logger } from "pino";

/** Hangar's logger type (pino). Logs always go to stderr: stdout belongs to results and JSON-RPC. */
export type { Logger };

/** Log levels a user can pick with `--log-level` / `$HANGAR_LOG_LEVEL`. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Options of `createLogger`; every field says its default. */
export interface LoggerOptions {
  /** Minimum level (default "warn"). */
  level?: string;
  /** File descriptor to write to (default 2, stderr). */
  fd?: number;
}

/** Paths of log fields that may hold secrets; pino replaces their values. */
const REDACT = ["env", "headers", "*.env", "*.headers", "authorization", "*.authorization"];

/** Creates the process logger: JSON lines on stderr, secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { level: options.level ?? "warn", base: null, redact: { paths: REDACT, censor: "[redacted]" } },
    pino.destination({ fd: options.fd ?? 2, sync: true }),
  );
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: "silent" });
