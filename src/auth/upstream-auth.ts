import { join } from "node:path";
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
import { takeRefreshLock } from "./refresh-lock.ts";
import { type SignInReason, signInRequired } from "./sign-in-error.ts";
import { needsRefresh, type TokenRecord } from "./token-record.ts";
import { findRecord, recordFileName, type StoredRecord, tokensDir, writeRecord } from "./token-store.ts";

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

/** One stored sign-in as this process knows it: its refresh under way, and the newest tokens it got. */
interface SignInState {
  refreshing?: Promise<StoredRecord> | undefined;
  /** Kept so that providers sharing the sign-in take them where the folder is read-only. */
  latest?: StoredRecord;
}

/**
 * Each stored sign-in of this process by the file its refreshes write (folder, issuer and resource):
 * providers with the same `url` share one sign-in, and with rotating refresh tokens a second refresh
 * spends a used refresh token, which the authorization server takes as theft and revokes the grant.
 */
const signIns = new Map<string, SignInState>();

/** A refused refresh of a sign-in, turned into each waiting provider's own `signInRequired`. */
class RefreshRefused extends Error {
  constructor(readonly reason: SignInReason) {
    super("OAuth refresh refused");
  }
}

/**
 * The bearer token of one `url:` provider, for the SDK transport's `authProvider`: the stored
 * sign-in's access token, refreshed before it expires and once when the provider answers 401 (the
 * transport then retries the request once). A refused refresh, a missing sign-in or a 401 with none
 * becomes `provider_unavailable` naming `hangar auth login <provider>`. One refresh of a stored sign-in
 * runs at a time, in this process (whichever providers share it) and across processes (a lock file
 * beside the record), and the refreshed tokens are written back (kept in memory where the folder is
 * read-only).
 */
export class UpstreamAuth implements AuthProvider {
  private current: StoredRecord | undefined;
  /** Whether the folder was read: a provider without a sign-in reads it again only on a 401. */
  private loaded = false;
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

  /** Newer tokens for `stale`'s sign-in: joins the refresh of it under way in this process, else starts one. */
  private async refresh(stale: StoredRecord, fetchFn: FetchLike | undefined): Promise<StoredRecord> {
    const dir = this.options.dir ?? tokensDir();
    const file = join(dir, recordFileName(stale.record.issuer, stale.record.resource));
    const state = signIns.get(file) ?? {};
    signIns.set(file, state);
    state.refreshing ??= this.refreshLocked(dir, file, state, stale, fetchFn).finally(() => {
      state.refreshing = undefined;
    });
    let fresh: StoredRecord;
    try {
      fresh = await state.refreshing;
    } catch (error) {
      // The refresh may have been another provider's: name this one in the error it ends with.
      throw error instanceof RefreshRefused ? signInRequired(this.providerId, error.reason) : error;
    }
    if (!this.current || fresh.record.tokens.obtained_at >= this.current.record.tokens.obtained_at) {
      this.current = fresh;
    }
    return fresh;
  }

  /**
   * Refreshes the sign-in whose file is `file` holding its lock, so that hangars sharing the folder
   * (several `hangar serve`, a `hangar call` beside them) refresh it one at a time.
   */
  private async refreshLocked(
    dir: string,
    file: string,
    state: SignInState,
    stale: StoredRecord,
    fetchFn: FetchLike | undefined,
  ): Promise<StoredRecord> {
    const lock = await takeRefreshLock(file.replace(/\.json$/, ".lock"));
    try {
      return await this.refreshOnce(dir, state, stale, fetchFn);
    } finally {
      lock?.release();
    }
  }

  /**
   * Newer tokens for `stale`'s sign-in, with its lock held: those stored since `stale` was read, else
   * the authorization server's answer to its refresh token, written back.
   */
  private async refreshOnce(
    dir: string,
    state: SignInState,
    stale: StoredRecord,
    fetchFn: FetchLike | undefined,
  ): Promise<StoredRecord> {
    // Another hangar, or another provider of this one, may have refreshed while this one waited for the
    // lock: rotated refresh tokens are single-use, so take its newer tokens rather than spend the old
    // refresh token again.
    const newer = newest([await findRecord(dir, this.serverUrl), state.latest], stale);
    if (newer && !needsRefresh(newer.record, this.now())) return newer;
    const base = newer ?? stale;
    const { record } = base;
    const refreshToken = record.tokens.refresh_token;
    if (refreshToken === undefined) throw new RefreshRefused({ kind: "no-refresh-token" });
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
      // A hangar that does not lock (an older one, or a folder shared between hosts whose locks do not
      // reach each other) may have spent this refresh token first and stored what it got.
      const since =
        refusal(error) === "invalid_grant" ? newest([await findRecord(dir, this.serverUrl)], base) : undefined;
      if (since) {
        this.logger.info(
          { provider: this.providerId, issuer: record.issuer },
          "OAuth refresh refused, but another hangar had refreshed the sign-in: using its tokens",
        );
        state.latest = since;
        return since;
      }
      this.logger.warn(
        { provider: this.providerId, issuer: record.issuer, reason: refusal(error) },
        "OAuth refresh refused",
      );
      throw new RefreshRefused({ kind: "refresh-refused", code: refusal(error) });
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
    const refreshed = { path: base.path, record: next };
    state.latest = refreshed;
    try {
      await writeRecord(dir, next);
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
    return refreshed;
  }
}

/** The newest of `candidates` issued after `than`, if any. */
function newest(candidates: readonly (StoredRecord | undefined)[], than: StoredRecord): StoredRecord | undefined {
  let best: StoredRecord | undefined;
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const at = candidate.record.tokens.obtained_at;
    if (at > (best ?? than).record.tokens.obtained_at) best = candidate;
  }
  return best;
}

/** The OAuth error code of a refused refresh (`invalid_grant`, …), or a short description; never a token. */
function refusal(error: unknown): string {
  if (error instanceof OAuthError) return error.code;
  return error instanceof Error ? error.name : "an error";
}
