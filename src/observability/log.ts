import { isatty } from "node:tty";
import pino, { type DestinationStream, type Logger } from "pino";

export { LOG_LEVELS } from "./log-levels.ts";
/** Hangar's logger type (pino). Logs always go to stderr: stdout belongs to results and JSON-RPC. */
export type { Logger };

/** Options of `createLogger`; every field says its default. */
export interface LoggerOptions {
  /** Minimum level (default "warn"). */
  level?: string;
  /** File descriptor to write to (default 2, stderr). */
  fd?: number;
  /** Human-readable lines instead of JSON (default: when `fd` is a terminal). */
  pretty?: boolean;
  /** Write JSON lines synchronously, each before `log()` returns (default false: see `jsonStream`). */
  sync?: boolean;
}

/** Keys that may hold secrets, at the top of a log line or one level down. */
const SECRET_KEYS = [
  "env",
  "headers",
  "authorization",
  "Authorization",
  "token",
  "password",
  "secret",
  "api_key",
  "apiKey",
  "cookie",
];

/** Paths of log fields that pino replaces with "[redacted]". */
export const REDACT_PATHS: readonly string[] = [...SECRET_KEYS, ...SECRET_KEYS.map((key) => `*.${key}`)];

/** Creates the process logger: JSON lines on stderr (pretty on a terminal), secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.fd ?? 2;
  const pretty = options.pretty ?? isatty(fd);
  return pino(
    { level: options.level ?? "warn", base: null, redact: { paths: [...REDACT_PATHS], censor: "[redacted]" } },
    pretty ? prettyStream(fd) : jsonStream(fd, options.sync ?? false),
  );
}

/** The most log bytes kept waiting for a slow reader of stderr; past it, lines are dropped. */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024;

/**
 * JSON lines written asynchronously, so that a reader that stops reading hangar's stderr (a full pipe)
 * never blocks the event loop: up to `MAX_PENDING_LOG_BYTES` wait, the rest is dropped. pino flushes what
 * waits when the process exits.
 */
function jsonStream(fd: number, sync: boolean): DestinationStream {
  return sync
    ? pino.destination({ fd, sync: true })
    : pino.destination({ fd, sync: false, minLength: 0, maxLength: MAX_PENDING_LOG_BYTES });
}

/**
 * pino-pretty as a synchronous stream in this thread. Never a worker transport: workers cannot load
 * their module from inside a `bun build --compile` binary. Required lazily, so JSON logging never pays
 * for it.
 */
function prettyStream(fd: number): DestinationStream {
  const pinoPretty = require("pino-pretty") as typeof import("pino-pretty");
  return pinoPretty({ destination: fd, sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l" });
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = pino({ level: "silent" });
