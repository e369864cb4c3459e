import type { SessionInfo } from "./daemon-session.ts";

/** What a shared daemon answers `hangar status` with (one JSON line on its socket). */
export interface DaemonStatus {
  readonly pid: number;
  readonly key: string;
  readonly socket: string;
  /** The config file's absolute path, or "(built-in demo)". */
  readonly config: string;
  readonly cwd: string;
  readonly version: string;
  /** ISO time the daemon started. */
  readonly started_at: string;
  /** Why it drains (new clients start a new daemon), or null while it takes clients. */
  readonly draining: string | null;
  /** How long it outlives its last client, in seconds (`daemon_idle_s`). */
  readonly idle_exit_s: number;
  readonly clients: readonly SessionInfo[];
  readonly providers: readonly {
    readonly id: string;
    readonly state: string;
    readonly pid?: number;
    readonly in_flight: number;
    readonly calls: number;
    readonly starts: number;
  }[];
}
