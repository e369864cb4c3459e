/** The MCP front of Hangar: the server, its catalog of providers' tools, and the stdio transport. */
export { Catalog, type CatalogSource, type ListKind } from "./catalog.ts";
export { CatalogCache, defaultCacheDir } from "./catalog-cache.ts";
export type { FrontDeps } from "./front-deps.ts";
export { type Era, type FrontFactoryOptions, frontFactory } from "./front-factory.ts";
export { HANGAR_TOOL_NAMES, hangarTools } from "./hangar-tools.ts";
export {
  createHttpApp,
  type HttpAppOptions,
  type MetricsEndpoint,
  type ServeHttpOptions,
  SessionSeal,
  serveHttp,
  sessionSecretsOf,
} from "./http/index.ts";
export { MAX_NAME_LENGTH, NameTable, prefixedName } from "./names.ts";
export { ResourceSubscriptions } from "./resource-subscriptions.ts";
export { type ServeStdioOptions, serveStdio } from "./serve-stdio.ts";
export { createServer, serveGateway } from "./server.ts";
export { ServerBridge } from "./server-bridge.ts";
export { statusOf } from "./status.ts";
export { StdioServerTransport } from "./stdio-server-transport.ts";
