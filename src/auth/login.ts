import { randomBytes } from "node:crypto";
import {
  AuthorizationServerMismatchError,
  auth,
  type FetchLike,
  IssuerMismatchError,
  OAuthError,
  resourceUrlFromServerUrl,
} from "@modelcontextprotocol/client";
import { HangarError, messageOf } from "../errors.ts";
import { LoginSession } from "./login-session.ts";
import { listenForCallback } from "./loopback-callback.ts";
import { probeChallenge } from "./probe-challenge.ts";
import type { TokenRecord } from "./token-record.ts";
import { findRecord, tokensDir, writeRecord } from "./token-store.ts";

/** A sign-in that did not complete (exit code 1): refused, mismatched, or not answered in time. */
export class LoginError extends HangarError {
  override name = "LoginError";
}

/** What `hangar auth login` is given; every field says its default. */
export interface LoginOptions {
  readonly providerId: string;
  /** The provider's `url`. */
  readonly serverUrl: string;
  /** Tells the user what to do (the authorization URL included). */
  readonly say: (line: string) => void;
  /** Opens a URL in the user's browser (default: none; the user opens the printed URL). */
  readonly openBrowser?: (url: string) => void;
  /** Where sign-ins are stored (default `tokensDir()`). */
  readonly dir?: string;
  /** An HTTPS URL serving Hangar's Client ID Metadata Document (default none: dynamic registration). */
  readonly clientMetadataUrl?: string;
  /** A client registered with the authorization server beforehand (default none: as above). */
  readonly preRegistered?: { readonly client_id: string; readonly client_secret?: string };
  /** Ends the wait for the browser (Ctrl-C, a deadline). */
  readonly signal: AbortSignal;
  /** Wall-clock time in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
  /** The fetch used to talk to the servers (default the global one). */
  readonly fetch?: FetchLike;
}

/** A completed sign-in: where it was stored, and what (tokens aside) it holds. */
export interface LoginResult {
  readonly path: string;
  readonly record: TokenRecord;
}

/**
 * Signs Hangar in to one remote provider: the OAuth 2.1 authorization-code flow with PKCE in the
 * user's browser and a loopback redirect, driven by the SDK's `auth()` (discovery by RFC 9728 and
 * RFC 8414 / OpenID, a Client ID Metadata Document where the server accepts one and `clientMetadataUrl`
 * is given, else dynamic registration by RFC 7591, the RFC 8707 resource, the RFC 9207 `iss` check),
 * then stores the tokens for the issuer and resource with mode 0600.
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const dir = options.dir ?? tokensDir();
  const now = options.now ?? Date.now;
  const previous = await findRecord(dir, options.serverUrl);
  const previousRedirect = previous?.record.client.redirect_uris;
  const previousPort = Array.isArray(previousRedirect) ? portOf(previousRedirect[0]) : undefined;
  const state = randomBytes(24).toString("base64url");
  await using callback = listenForCallback(state, previousPort);
  let authorizationUrl: URL | undefined;
  const session = new LoginSession({
    redirectUrl: callback.redirectUrl,
    state,
    ...(options.clientMetadataUrl ? { clientMetadataUrl: options.clientMetadataUrl } : {}),
    ...(options.preRegistered
      ? { preRegistered: options.preRegistered }
      : // A registered client is reused only for the redirect it was registered with.
        previous && sameRedirect(previousRedirect, callback.redirectUrl)
        ? { knownClient: { issuer: previous.record.issuer, client: previous.record.client } }
        : {}),
    onAuthorizationUrl: (url) => {
      authorizationUrl = url;
    },
  });
  const fetchFn = options.fetch ? { fetchFn: options.fetch } : {};
  const challenge = await probeChallenge(options.serverUrl, options.fetch, options.signal);
  const discovery = {
    serverUrl: options.serverUrl,
    ...(challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl } : {}),
    ...(challenge.scope ? { scope: challenge.scope } : {}),
    ...fetchFn,
  };
  const first = await step(options.providerId, () => auth(session, discovery));
  if (first !== "REDIRECT" || authorizationUrl === undefined) {
    throw new LoginError(`Cannot sign in to provider "${options.providerId}": the server started no browser sign-in`);
  }
  options.say(`Open this URL in your browser to sign in to "${options.providerId}":\n\n  ${authorizationUrl.href}\n`);
  options.openBrowser?.(authorizationUrl.href);
  options.say(`Waiting for the browser to come back to ${callback.redirectUrl} …`);
  const answer = await callback.wait(options.signal);
  try {
    const result = await redeem(options, session, discovery, answer, dir, now);
    callback.finish({ ok: true });
    return result;
  } catch (error) {
    callback.finish({ ok: false, reason: messageOf(error) });
    throw error;
  }
}

/** The second leg: checks the browser's answer, redeems its code and stores the tokens. */
async function redeem(
  options: LoginOptions,
  session: LoginSession,
  discovery: Parameters<typeof auth>[1],
  answer: URLSearchParams,
  dir: string,
  now: () => number,
): Promise<LoginResult> {
  const code = answer.get("code");
  if (answer.has("error") || code === null) {
    // The error fields of a callback are the sender's words, possibly an attacker's (RFC 9207): only the code.
    const error = answer.get("error") ?? "no code";
    throw new LoginError(
      `Sign-in to provider "${options.providerId}" was refused by the authorization server (${short(error)})`,
    );
  }
  const iss = answer.get("iss");
  const second = await step(options.providerId, () =>
    auth(session, { ...discovery, authorizationCode: code, ...(iss === null ? {} : { iss }) }),
  );
  const tokens = session.savedTokens;
  const metadata = session.discovery?.authorizationServerMetadata;
  if (second !== "AUTHORIZED" || tokens === undefined || session.issuer === undefined || metadata === undefined) {
    throw new LoginError(`Cannot sign in to provider "${options.providerId}": no tokens were issued`);
  }
  const client = session.client ?? session.clientInformation({ issuer: session.issuer });
  if (client === undefined) throw new LoginError(`Cannot sign in to provider "${options.providerId}": no client id`);
  const obtainedAt = now();
  const record: TokenRecord = {
    version: 1,
    provider: options.providerId,
    server_url: options.serverUrl,
    resource: session.discovery?.resourceMetadata?.resource ?? resourceUrlFromServerUrl(options.serverUrl).href,
    issuer: session.issuer,
    authorization_server: { ...metadata, issuer: metadata.issuer, token_endpoint: metadata.token_endpoint },
    client: { ...client },
    tokens: {
      access_token: tokens.access_token,
      token_type: tokens.token_type,
      ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
      ...(tokens.scope ? { scope: tokens.scope } : {}),
      ...(tokens.expires_in === undefined ? {} : { expires_at: obtainedAt + tokens.expires_in * 1000 }),
      obtained_at: obtainedAt,
    },
  };
  return { path: await writeRecord(dir, record), record };
}

/** Runs one leg of `auth()`, turning its failures into one sentence that names the provider. */
async function step<T>(providerId: string, leg: () => Promise<T>): Promise<T> {
  try {
    return await leg();
  } catch (error) {
    if (error instanceof IssuerMismatchError) {
      // `received` may be an attacker's value: say only which check failed (RFC 9207 §2.4).
      const where =
        error.kind === "authorization_response"
          ? "the authorization response's `iss` does not name the authorization server the sign-in began with (RFC 9207); a mix-up attack is possible, so the code was not redeemed"
          : "the authorization server's metadata names another issuer (RFC 8414 §3.3)";
      throw new LoginError(`Sign-in to provider "${providerId}" refused: ${where}`);
    }
    if (error instanceof AuthorizationServerMismatchError) {
      throw new LoginError(
        `Sign-in to provider "${providerId}" refused: the authorization server changed during the sign-in (${error.recordedIssuer} → ${error.currentIssuer})`,
      );
    }
    if (error instanceof OAuthError) {
      throw new LoginError(`Cannot sign in to provider "${providerId}": ${error.code}: ${short(error.message)}`);
    }
    throw new LoginError(`Cannot sign in to provider "${providerId}": ${short(messageOf(error))}`);
  }
}

function short(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function portOf(url: unknown): number | undefined {
  if (typeof url !== "string") return undefined;
  try {
    const port = Number(new URL(url).port);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

function sameRedirect(registered: unknown, redirectUrl: string): boolean {
  return Array.isArray(registered) && registered.includes(redirectUrl);
}
