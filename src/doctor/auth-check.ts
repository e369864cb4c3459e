import { findRecord, needsRefresh, tokensDir } from "../auth/index.ts";
import type { ResolvedProvider } from "../config/index.ts";
import { urlShown } from "../providers/index.ts";
import { type Check, check } from "./check.ts";

/**
 * Doctor's OAuth check of a `url:` provider: whether a stored sign-in is there, and whether its access
 * token is still valid or can be refreshed (the start check then shows whether the provider takes it).
 * Undefined for a provider that neither asks for OAuth nor has a sign-in. Never prints a token.
 */
export async function checkSignIn(
  provider: ResolvedProvider,
  env: Readonly<Record<string, string | undefined>>,
  now: number = Date.now(),
): Promise<Check | undefined> {
  const t = provider.transport;
  if (t.kind !== "http") return undefined;
  const id = provider.id;
  const login = `run \`hangar auth login ${id}\``;
  const dir = tokensDir(env);
  const stored = await findRecord(dir, t.url);
  if (stored === undefined) {
    if (t.auth !== "oauth") return undefined;
    return check("provider", id, "oauth", "fail", `not signed in (no sign-in for ${urlShown(t.url)} in ${dir})`, {
      fix: login,
    });
  }
  const { record } = stored;
  const expiresAt = record.tokens.expires_at;
  const until = expiresAt === undefined ? "no stated expiry" : `valid until ${new Date(expiresAt).toISOString()}`;
  const refresh = record.tokens.refresh_token !== undefined;
  if (!needsRefresh(record, now)) {
    return check(
      "provider",
      id,
      "oauth",
      "ok",
      `signed in to ${record.issuer}: access token ${until}, ${refresh ? "refreshed before it expires" : "no refresh token"}`,
    );
  }
  if (refresh) {
    return check(
      "provider",
      id,
      "oauth",
      "ok",
      `signed in to ${record.issuer}: access token expired or expiring, refreshed on first use`,
    );
  }
  return check("provider", id, "oauth", "fail", `the sign-in to ${record.issuer} expired and cannot be refreshed`, {
    fix: login,
  });
}
