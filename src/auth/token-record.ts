import { z } from "zod";

/**
 * What `hangar auth login` stores for one upstream: the tokens and the client registration an
 * authorization server (`issuer`) issued for one protected resource (RFC 8707 `resource`), and the
 * server metadata needed to refresh them without discovering again. One JSON file per issuer and
 * resource; the access and refresh tokens are secrets and are never printed or logged.
 */
export const tokenRecordSchema = z.object({
  version: z.literal(1),
  /** The provider id it was signed in for (shown by `hangar auth status`; lookup is by `server_url`). */
  provider: z.string(),
  /** The URL Hangar connects to (the provider's `url`). */
  server_url: z.string(),
  /** The protected resource the tokens are bound to (RFC 8707; from RFC 9728 metadata). */
  resource: z.string(),
  /** The authorization server's issuer identifier (RFC 8414 / RFC 9207). */
  issuer: z.string(),
  /** The authorization server's metadata, as discovered at sign-in (token and revocation endpoints). */
  authorization_server: z.looseObject({
    issuer: z.string(),
    token_endpoint: z.string(),
    revocation_endpoint: z.string().optional(),
  }),
  /** The client Hangar signed in as: registered (RFC 7591) or a Client ID Metadata Document URL. */
  client: z.looseObject({ client_id: z.string(), client_secret: z.string().optional() }),
  tokens: z.object({
    access_token: z.string(),
    token_type: z.string(),
    refresh_token: z.string().optional(),
    scope: z.string().optional(),
    /** When the access token expires, in ms since the epoch (absent: the server did not say). */
    expires_at: z.number().optional(),
    /** When these tokens were issued, in ms since the epoch. */
    obtained_at: z.number(),
  }),
});

/** One stored sign-in (see `tokenRecordSchema`). */
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

/** The longest a token is refreshed ahead of its expiry (60 s; less for short-lived tokens). */
export const REFRESH_AHEAD_MS = 60_000;

/**
 * Whether the access token is to be refreshed before use at `now` (ms since the epoch): once less than
 * a minute of its life is left, or a tenth of its lifetime for tokens that live less than ten minutes.
 */
export function needsRefresh(record: TokenRecord, now: number): boolean {
  const { expires_at: expiresAt, obtained_at: obtainedAt } = record.tokens;
  if (expiresAt === undefined) return false;
  const ahead = Math.min(REFRESH_AHEAD_MS, Math.max(0, expiresAt - obtainedAt) / 10);
  return now >= expiresAt - ahead;
}

/** The URL a record is looked up by: the provider's URL without its fragment. */
export function serverKey(url: string): string {
  const parsed = new URL(url);
  parsed.hash = "";
  return parsed.href;
}
