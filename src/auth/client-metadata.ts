import type { OAuthClientMetadata } from "@modelcontextprotocol/client";

/**
 * The redirect a hosted Client ID Metadata Document names: the loopback callback without a port, which
 * authorization servers match on any port (RFC 8252 §7.3), so one document serves every sign-in.
 */
export const LOOPBACK_REDIRECT = "http://127.0.0.1/callback";

/** What Hangar says about itself as an OAuth client: a public native client redirecting to `redirectUris`. */
export function hangarClientMetadata(redirectUris: readonly string[]): OAuthClientMetadata {
  return {
    client_name: "Hangar",
    redirect_uris: [...redirectUris],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    application_type: "native",
  };
}

/**
 * Hangar's Client ID Metadata Document for hosting at the HTTPS URL `clientId` (its own `client_id`):
 * the JSON that `hangar auth client-metadata <url>` prints, for `--client-metadata-url <url>`.
 */
export function clientMetadataDocument(clientId: string): OAuthClientMetadata & { client_id: string } {
  return { client_id: clientId, ...hangarClientMetadata([LOOPBACK_REDIRECT]) };
}
