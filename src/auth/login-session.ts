import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import { hangarClientMetadata } from "./client-metadata.ts";

/** What one sign-in needs to know before it starts; every field says its default. */
export interface LoginSessionOptions {
  /** The loopback redirect, `http://127.0.0.1:<port>/callback`. */
  readonly redirectUrl: string;
  /** The `state` sent with the authorization request. */
  readonly state: string;
  /** An HTTPS URL serving Hangar's Client ID Metadata Document (default none: dynamic registration). */
  readonly clientMetadataUrl?: string;
  /** A client registered beforehand, for whichever issuer (default none). */
  readonly preRegistered?: StoredOAuthClientInformation;
  /** A client registered at an earlier sign-in with this issuer and redirect (default none). */
  readonly knownClient?: { readonly issuer: string; readonly client: StoredOAuthClientInformation };
  /** Receives the authorization URL the user's browser is to open. */
  readonly onAuthorizationUrl: (url: URL) => void;
}

/**
 * The SDK's `OAuthClientProvider` for one `hangar auth login`, held in memory: the SDK's `auth()`
 * discovers the servers, registers the client or uses its metadata document URL, makes the PKCE
 * verifier and the authorization URL (with the RFC 8707 resource), checks `iss` (RFC 9207) and
 * redeems the code; this object keeps what it hands over until `hangar auth login` stores the result.
 */
export class LoginSession implements OAuthClientProvider {
  readonly clientMetadataUrl?: string;
  client: StoredOAuthClientInformation | undefined;
  savedTokens: StoredOAuthTokens | undefined;
  issuer: string | undefined;
  discovery: OAuthDiscoveryState | undefined;
  private verifier = "";

  constructor(private readonly options: LoginSessionOptions) {
    if (options.clientMetadataUrl !== undefined) this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.options.redirectUrl;
  }

  get clientMetadata(): OAuthClientMetadata {
    return hangarClientMetadata([this.options.redirectUrl]);
  }

  state(): string {
    return this.options.state;
  }

  clientInformation(ctx?: { issuer: string }): StoredOAuthClientInformation | undefined {
    if (this.client) return this.client;
    if (this.options.preRegistered) return this.options.preRegistered;
    const known = this.options.knownClient;
    return known && ctx?.issuer === known.issuer ? known.client : undefined;
  }

  saveClientInformation(client: StoredOAuthClientInformation): void {
    this.client = client;
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.savedTokens;
  }

  saveTokens(tokens: StoredOAuthTokens, ctx?: { issuer: string }): void {
    this.savedTokens = tokens;
    if (ctx) this.issuer = ctx.issuer;
  }

  redirectToAuthorization(url: URL): void {
    this.options.onAuthorizationUrl(url);
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
}
