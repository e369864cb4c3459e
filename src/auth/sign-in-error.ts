import { ProviderError } from "../errors.ts";

/** Why a provider's calls need `hangar auth login` first. */
export type SignInReason =
  | { readonly kind: "missing" }
  | { readonly kind: "challenged"; readonly resourceMetadata: boolean }
  | { readonly kind: "refresh-refused"; readonly code: string }
  | { readonly kind: "no-refresh-token" };

/**
 * The `provider_unavailable` error a provider's calls end with until someone signs in again: it says
 * why and names the command, and never holds a token. Not retryable: trying again will not sign in.
 */
export function signInRequired(providerId: string, reason: SignInReason): ProviderError {
  const run = `run \`hangar auth login ${providerId}\``;
  const why = (() => {
    switch (reason.kind) {
      case "missing":
        return "is not signed in";
      case "challenged":
        return reason.resourceMetadata
          ? "requires OAuth sign-in (it answered 401 and publishes RFC 9728 protected resource metadata)"
          : "answered 401 Unauthorized: it requires sign-in";
      case "refresh-refused":
        return `could not refresh its sign-in (the authorization server answered ${reason.code}): it expired or was revoked`;
      case "no-refresh-token":
        return "refused the access token, and there is no refresh token to renew it with";
    }
  })();
  return new ProviderError(providerId, `Provider "${providerId}" ${why}; ${run}`, "provider_unavailable", false);
}
