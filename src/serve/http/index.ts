/** Hangar's HTTP front: Streamable HTTP sessions on /mcp, the REST batch, probes and their guards. */
export { BearerToken } from "./bearer-token.ts";
export { type HostCheckOptions, hostProblem, isLoopback, isWildcard, LOOPBACK_HOSTNAMES } from "./host-check.ts";
export { createHttpApp, type HttpApp, type HttpAppOptions } from "./http-app.ts";
export { McpEndpoint, type McpEndpointOptions } from "./mcp-endpoint.ts";
export { McpSessions, type McpSessionsOptions } from "./mcp-sessions.ts";
export type { MetricsEndpoint } from "./probes.ts";
export { ProviderCalls, type RunningCall } from "./provider-calls.ts";
export { NDJSON, restBatch } from "./rest-batch.ts";
export { type ServeHttpOptions, serveHttp } from "./serve-http.ts";
export { type ActiveSession, SessionBridge, type SessionPicker } from "./session-bridge.ts";
export { type SealedSession, SessionSeal, type SessionSealOptions, sessionSecretsOf } from "./session-seal.ts";
