import { chmodSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../errors.ts";
import { hangarHome } from "../../hangar-home.ts";
import { ENV } from "../../knobs.ts";

/** The files of one shared daemon, all in the run directory and named after its key. */
export interface DaemonFiles {
  /** The Unix domain socket clients attach to (mode 0600). */
  readonly socket: string;
  /** Held (created with O_EXCL) by the one client that starts the daemon. */
  readonly lock: string;
  /** JSON written by the daemon once it listens: pid, config, cwd, version (what `hangar status` lists). */
  readonly info: string;
  /** The daemon's stderr: its log. */
  readonly log: string;
}

/** Longest socket path Linux takes (sun_path is 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * Where shared daemons keep their sockets: `$HANGAR_HOME/run` when `$HANGAR_HOME` is set (beside the
 * run registry, as everything hangar writes follows it), else `$XDG_RUNTIME_DIR/hangar` when that is
 * set (a per-user tmpfs on most Linux desktops), else `~/.hangar/run`.
 */
export function runDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env[ENV.home];
  if (home !== undefined && home !== "") return join(home, "run");
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg !== undefined && xdg !== "") return join(xdg, "hangar");
  return join(hangarHome(env), "run");
}

/**
 * Creates the run directory (mode 0700) when missing and checks that it is this user's and that no
 * one else may enter it; a directory of another user is refused rather than used.
 */
export function ensureRunDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid)
    throw new UsageError(`The shared Hangar directory ${dir} belongs to another user (uid ${info.uid}); remove it`);
  if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** The files of the daemon with `key` in `dir`; the socket path must fit a Unix socket address. */
export function daemonFiles(dir: string, key: string): DaemonFiles {
  const socket = join(dir, `${key}.sock`);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH)
    throw new UsageError(
      `The shared Hangar socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes; set XDG_RUNTIME_DIR to a shorter directory`,
    );
  return {
    socket,
    lock: join(dir, `${key}.lock`),
    info: join(dir, `${key}.daemon.json`),
    log: join(dir, `${key}.log`),
  };
}
