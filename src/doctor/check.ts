/** What `hangar doctor` reports: checks, each with a status, one sentence and the fix when it fails. */

/** How a check came out; only `fail` makes doctor exit 1. */
export type CheckStatus = "ok" | "info" | "warn" | "fail" | "skip";

/** Which part of the setup a check is about. */
export type CheckSection = "config" | "provider" | "client";

/** One check. Messages never contain a secret (env or header values, URL credentials or query). */
export interface Check {
  readonly section: CheckSection;
  /** What was checked: "config", a provider id, a client's label. */
  readonly subject: string;
  /** Which check: "found", "parses", "command", "start", "tools", "ping", … */
  readonly name: string;
  readonly status: CheckStatus;
  /** One sentence: what was found. */
  readonly message: string;
  /** How to fix it, for `warn` and `fail`. */
  readonly fix?: string;
  /** More lines: the config's problems with file:line:col, a provider's stderr tail. */
  readonly detail?: string;
  /** How long it took, for a start or a ping. */
  readonly latency_ms?: number;
}

/** The whole report, as `--json` prints it. */
export interface DoctorReport {
  /** No check failed. */
  readonly ok: boolean;
  /** The config that was checked: a file, or the built-in demo providers. */
  readonly config: { readonly path: string | undefined; readonly via: string | undefined; readonly demo: boolean };
  readonly checks: readonly Check[];
  readonly counts: Readonly<Record<CheckStatus, number>>;
}

/** A check with `fix` and `detail` set only when they are given. */
export function check(
  section: CheckSection,
  subject: string,
  name: string,
  status: CheckStatus,
  message: string,
  extra: { fix?: string | undefined; detail?: string | undefined; latency_ms?: number | undefined } = {},
): Check {
  return {
    section,
    subject,
    name,
    status,
    message,
    ...(extra.fix === undefined ? {} : { fix: extra.fix }),
    ...(extra.detail === undefined || extra.detail === "" ? {} : { detail: extra.detail }),
    ...(extra.latency_ms === undefined ? {} : { latency_ms: Math.round(extra.latency_ms * 100) / 100 }),
  };
}

/** How many checks came out each way. */
export function countChecks(checks: readonly Check[]): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { ok: 0, info: 0, warn: 0, fail: 0, skip: 0 };
  for (const item of checks) counts[item.status]++;
  return counts;
}
