import type { AuthProvider } from "@modelcontextprotocol/client";
import type { Logger } from "../observability/log.ts";
import { UpstreamAuth } from "./upstream-auth.ts";

/** The part of a `url:` provider's config that decides its OAuth. */
export interface OAuthTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly auth?: "oauth";
}

/**
 * The `authProvider` of a `url:` provider's transport: none when its config sends its own
 * `Authorization` header; else its stored sign-in, required with `auth: oauth` and used when present
 * otherwise, so that a provider that answers 401 is told to run `hangar auth login`.
 */
export function upstreamAuthFor(providerId: string, target: OAuthTarget, logger: Logger): AuthProvider | undefined {
  if (target.auth !== "oauth" && Object.keys(target.headers).some((name) => name.toLowerCase() === "authorization")) {
    return undefined;
  }
  return new UpstreamAuth(providerId, target.url, logger, { mode: target.auth === "oauth" ? "oauth" : "auto" });
}
