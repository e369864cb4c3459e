import { createRequire } from "node:module";
import { isatty } from "node:tty";
import type { DestinationStream, Logger } from "pino";

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

/**
 * Creates the process logger: JSON lines on stderr (pretty on a terminal), secrets redacted. pino itself
 * loads at the first line at or above `level` (issue 11: ~6 ms of every start, for a logger that at the
 * default level `warn` usually writes nothing).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? "warn";
  return lazyLogger(level, () => {
    const fd = options.fd ?? 2;
    const pretty = options.pretty ?? isatty(fd);
    return loadPino()(
      { level, base: null, redact: { paths: [...REDACT_PATHS], censor: "[redacted]" } },
      pretty ? prettyStream(fd) : jsonStream(fd, options.sync ?? false),
    );
  });
}

/** pino's levels, lowest first; a logger writes the lines at or above its own. */
const LEVEL_VALUES: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Number.POSITIVE_INFINITY,
};
const METHODS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/**
 * A Logger whose pino logger is made by `make` when a line at or above `level` is first logged; below it,
 * a call does nothing (as pino's own no-op methods). Children are lazy the same way.
 */
function lazyLogger(level: string, make: () => Logger): Logger {
  let made: Logger | undefined;
  const real = () => {
    made ??= make();
    return made;
  };
  const threshold = LEVEL_VALUES[level] ?? LEVEL_VALUES.info!;
  const enabled = (name: string) => (LEVEL_VALUES[name] ?? 0) >= threshold && threshold !== LEVEL_VALUES.silent;
  const logger: Record<string, unknown> = {
    level,
    isLevelEnabled: enabled,
    child: (bindings: Record<string, unknown>, options?: { level?: string }) =>
      lazyLogger(options?.level ?? level, () => real().child(bindings, options)),
    flush: (callback?: (error?: Error) => void) => (made ? made.flush(callback) : callback?.()),
  };
  for (const name of METHODS) {
    logger[name] = enabled(name)
      ? (...args: unknown[]) => (real()[name] as (...a: unknown[]) => void)(...args)
      : () => {};
  }
  return logger as unknown as Logger;
}

type Pino = typeof import("pino").default;
let pinoModule: Pino | undefined;

/**
 * pino, loaded on first use: by the bundler's `require` inside the compiled binary (and the Node library
 * bundle), by `createRequire` where modules run from source without `require` (Deno).
 */
function loadPino(): Pino {
  if (pinoModule) return pinoModule;
  // A literal `require("pino")`: the bundler puts pino in the binary only for a call it can see.
  const loaded = (typeof require === "function" ? require("pino") : createRequire(import.meta.url)("pino")) as Pino & {
    default?: Pino;
  };
  pinoModule = loaded.default ?? loaded;
  return pinoModule;
}

/** The most log bytes kept waiting for a slow reader of stderr; past it, lines are dropped. */
export const MAX_PENDING_LOG_BYTES = 4 * 1024 * 1024;

/**
 * JSON lines written asynchronously, so that a reader that stops reading hangar's stderr (a full pipe)
 * never blocks the event loop: up to `MAX_PENDING_LOG_BYTES` wait, the rest is dropped. pino flushes what
 * waits when the process exits.
 */
function jsonStream(fd: number, sync: boolean): DestinationStream {
  const pino = loadPino();
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
export const silentLogger: Logger = lazyLogger("silent", () => loadPino()({ level: "silent" }));
