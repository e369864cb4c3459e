import {
  type AuthorizationServerMetadata,
  type AuthProvider,
  extractWWWAuthenticateParams,
  type FetchLike,
  OAuthError,
  refreshAuthorization,
} from "@modelcontextprotocol/client";
import { messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { signInRequired } from "./sign-in-error.ts";
import { needsRefresh, type TokenRecord } from "./token-record.ts";
import { findRecord, type StoredRecord, tokensDir, writeRecord } from "./token-store.ts";

/** What the transport hands `onUnauthorized`: the 401 response and its fetch. */
type UnauthorizedContext = Parameters<NonNullable<AuthProvider["onUnauthorized"]>>[0];

/** How a provider's upstream OAuth works; every field says its default. */
export interface UpstreamAuthOptions {
  /** `oauth`: the provider needs a sign-in; `auto`: use one when stored, else send no token (default). */
  readonly mode?: "oauth" | "auto";
  /** Where sign-ins are stored (default `tokensDir()`, read at each lookup). */
  readonly dir?: string;
  /** Wall-clock time in ms since the epoch, for token expiry (default `Date.now`). */
  readonly now?: () => number;
  /** The fetch used for refresh requests (default the transport's). */
  readonly fetch?: FetchLike;
}

/**
 * The bearer token of one `url:` provider, for the SDK transport's `authProvider`: the stored
 * sign-in's access token, refreshed before it expires and once when the provider answers 401 (the
 * transport then retries the request once). A refused refresh, a missing sign-in or a 401 with none
 * becomes `provider_unavailable` naming `hangar auth login <provider>`. Refreshes are single-flight
 * and the refreshed tokens are written back (kept in memory where the folder is read-only).
 */
export class UpstreamAuth implements AuthProvider {
  private current: StoredRecord | undefined;
  /** Whether the folder was read: a provider without a sign-in reads it again only on a 401. */
  private loaded = false;
  private refreshing: Promise<StoredRecord> | undefined;
  private warnedReadOnly = false;

  constructor(
    private readonly providerId: string,
    private readonly serverUrl: string,
    private readonly logger: Logger,
    private readonly options: UpstreamAuthOptions = {},
  ) {}

  async token(): Promise<string | undefined> {
    // Called before every request: the folder is read once (with `auth: oauth`, until a sign-in is found).
    const stored = this.loaded && (this.current || this.options.mode !== "oauth") ? this.current : await this.load();
    if (stored === undefined) {
      if (this.options.mode === "oauth") throw signInRequired(this.providerId, { kind: "missing" });
      return undefined;
    }
    if (needsRefresh(stored.record, this.now()) && stored.record.tokens.refresh_token !== undefined) {
      return (await this.refresh(stored, this.options.fetch)).record.tokens.access_token;
    }
    return stored.record.tokens.access_token;
  }

  async onUnauthorized(ctx: UnauthorizedContext): Promise<void> {
    const sent = this.current;
    const stored = await this.load();
    if (stored === undefined) {
      const challenge = ctx.response.headers.has("www-authenticate")
        ? extractWWWAuthenticateParams(ctx.response)
        : undefined;
      throw signInRequired(this.providerId, {
        kind: "challenged",
        resourceMetadata: challenge?.resourceMetadataUrl !== undefined,
      });
    }
    // Signed in (again) since that request, or refreshed by another hangar: retry with those tokens.
    const changed = stored.record.tokens.access_token !== sent?.record.tokens.access_token;
    if (changed && !needsRefresh(stored.record, this.now())) return;
    if (stored.record.tokens.refresh_token === undefined) {
      throw signInRequired(this.providerId, { kind: "no-refresh-token" });
    }
    await this.refresh(sent && !changed ? sent : stored, this.options.fetch ?? ctx.fetchFn);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async load(): Promise<StoredRecord | undefined> {
    const found = await findRecord(this.options.dir ?? tokensDir(), this.serverUrl);
    // Tokens refreshed in memory only (a read-only folder) are newer than the file's: keep them.
    if (!found || !this.current || found.record.tokens.obtained_at >= this.current.record.tokens.obtained_at) {
      this.current = found;
    }
    this.loaded = true;
    return this.current;
  }

  private refresh(stale: StoredRecord, fetchFn: FetchLike | undefined): Promise<StoredRecord> {
    this.refreshing ??= this.refreshOnce(stale, fetchFn).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(stale: StoredRecord, fetchFn: FetchLike | undefined): Promise<StoredRecord> {
    // Another hangar (a `hangar call` beside `hangar serve`) may have refreshed already: rotated refresh
    // tokens are single-use, so take its newer tokens rather than spend the old refresh token again.
    const onDisk = await findRecord(this.options.dir ?? tokensDir(), this.serverUrl);
    const newer = onDisk && onDisk.record.tokens.obtained_at > stale.record.tokens.obtained_at ? onDisk : undefined;
    if (newer && !needsRefresh(newer.record, this.now())) {
      this.current = newer;
      return newer;
    }
    const base = newer ?? stale;
    const { record } = base;
    const refreshToken = record.tokens.refresh_token;
    if (refreshToken === undefined) throw signInRequired(this.providerId, { kind: "no-refresh-token" });
    let tokens: Awaited<ReturnType<typeof refreshAuthorization>>;
    try {
      tokens = await refreshAuthorization(record.issuer, {
        metadata: record.authorization_server as unknown as AuthorizationServerMetadata,
        clientInformation: record.client,
        refreshToken,
        resource: new URL(record.resource),
        ...(fetchFn ? { fetchFn } : {}),
      });
    } catch (error) {
      this.logger.warn(
        { provider: this.providerId, issuer: record.issuer, reason: refusal(error) },
        "OAuth refresh refused",
      );
      throw signInRequired(this.providerId, { kind: "refresh-refused", code: refusal(error) });
    }
    const now = this.now();
    const next: TokenRecord = {
      ...record,
      tokens: {
        access_token: tokens.access_token,
        token_type: tokens.token_type,
        refresh_token: tokens.refresh_token ?? refreshToken,
        ...((tokens.scope ?? record.tokens.scope) ? { scope: tokens.scope ?? record.tokens.scope } : {}),
        ...(tokens.expires_in === undefined ? {} : { expires_at: now + tokens.expires_in * 1000 }),
        obtained_at: now,
      },
    };
    this.current = { path: base.path, record: next };
    try {
      await writeRecord(this.options.dir ?? tokensDir(), next);
    } catch (error) {
      if (!this.warnedReadOnly) {
        this.warnedReadOnly = true;
        this.logger.warn(
          { provider: this.providerId, error: messageOf(error) },
          "Cannot store the refreshed OAuth tokens; keeping them in memory until hangar stops",
        );
      }
    }
    this.logger.info({ provider: this.providerId, issuer: record.issuer }, "OAuth tokens refreshed");
    return this.current;
  }
}

/** The OAuth error code of a refused refresh (`invalid_grant`, …), or a short description; never a token. */
function refusal(error: unknown): string {
  if (error instanceof OAuthError) return error.code;
  return error instanceof Error ? error.name : "an error";
}
