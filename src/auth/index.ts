/** Upstream OAuth 2.1: signing in to remote providers, storing their tokens, and using them. */
export { type AuthStatusRow, authStatus } from "./auth-status.ts";
export { clientMetadataDocument, LOOPBACK_REDIRECT } from "./client-metadata.ts";
export { LoginError, type LoginOptions, type LoginResult, login } from "./login.ts";
export { signInRequired } from "./sign-in-error.ts";
export { needsRefresh, type TokenRecord } from "./token-record.ts";
export { findRecord, readRecords, removeRecord, type StoredRecord, tokensDir, writeRecord } from "./token-store.ts";
export { UpstreamAuth, type UpstreamAuthOptions } from "./upstream-auth.ts";
export { type OAuthTarget, upstreamAuthFor } from "./upstream-auth-for.ts";
