/** Hangar's HTTP front: Streamable HTTP sessions on /mcp, the REST batch, probes and their guards. */
export { BearerToken } from "./bearer-token.ts";
export { hostProblem, isLoopback, isWildcard, LOOPBACK_HOSTNAMES, type HostCheckOptions } from "./host-check.ts";
export { createHttpApp, type HttpApp, type HttpAppOptions } from "./http-app.ts";
export { McpSessions, type McpSessionsOptions } from "./mcp-sessions.ts";
export { type MetricsEndpoint } from "./probes.ts";
export { NDJSON, restBatch } from "./rest-batch.ts";
export { serveHttp, type ServeHttpOptions } from "./serve-http.ts";
export { RequestTracker, type PendingRequest } from "./request-tracker.ts";
export { SessionBridge, type ActiveSession, type SessionPicker } from "./session-bridge.ts";
