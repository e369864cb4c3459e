import type { ResolvedConfig } from "../config/index.ts";
import { needsRefresh, serverKey } from "./token-record.ts";
import { readRecords } from "./token-store.ts";

/** How one provider's sign-in stands; never holds a token. */
export interface AuthStatusRow {
  readonly provider: string;
  /** `oauth` when the config asks for sign-in, `auto` for other `url:` providers. */
  readonly mode: "oauth" | "auto";
  /** `signed-in`, `expired` (refreshable on use), `expired-no-refresh`, or `signed-out`. */
  readonly state: "signed-in" | "expired" | "expired-no-refresh" | "signed-out";
  readonly issuer?: string;
  readonly resource?: string;
  readonly scope?: string;
  /** When the access token expires (ISO 8601), when the server said. */
  readonly expires_at?: string;
  readonly refresh_token: boolean;
  /** The file holding the sign-in. */
  readonly file?: string;
}

/** The sign-in of every `url:` provider of `config`, read from `dir`, at `now` (ms since the epoch). */
export async function authStatus(config: ResolvedConfig, dir: string, now: number): Promise<AuthStatusRow[]> {
  const records = await readRecords(dir);
  const rows: AuthStatusRow[] = [];
  for (const provider of config.providers) {
    const t = provider.transport;
    if (t.kind !== "http") continue;
    const mode = t.auth === "oauth" ? "oauth" : "auto";
    const key = serverKey(t.url);
    const found = records
      .filter(({ record }) => serverKey(record.server_url) === key)
      .sort((a, b) => b.record.tokens.obtained_at - a.record.tokens.obtained_at)[0];
    if (found === undefined) {
      rows.push({ provider: provider.id, mode, state: "signed-out", refresh_token: false });
      continue;
    }
    const { record } = found;
    const expired = record.tokens.expires_at !== undefined && now >= record.tokens.expires_at;
    const refreshable = record.tokens.refresh_token !== undefined;
    rows.push({
      provider: provider.id,
      mode,
      state: !expired && !needsRefresh(record, now) ? "signed-in" : refreshable ? "expired" : "expired-no-refresh",
      issuer: record.issuer,
      resource: record.resource,
      ...(record.tokens.scope ? { scope: record.tokens.scope } : {}),
      ...(record.tokens.expires_at === undefined
        ? {}
        : { expires_at: new Date(record.tokens.expires_at).toISOString() }),
      refresh_token: refreshable,
      file: found.path,
    });
  }
  return rows;
}
