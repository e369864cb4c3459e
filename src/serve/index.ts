/** The MCP front of Hangar: the server, its catalog of providers' tools, and the stdio transport. */
export { Catalog, type CatalogSource, type ListKind } from "./catalog.ts";
export { CatalogCache, defaultCacheDir } from "./catalog-cache.ts";
export { HANGAR_TOOL_NAMES, hangarTools } from "./hangar-tools.ts";
export { MAX_NAME_LENGTH, NameTable, prefixedName } from "./names.ts";
export { createServer, serveGateway, type FrontDeps } from "./server.ts";
export { ResourceSubscriptions } from "./resource-subscriptions.ts";
export { ServerBridge } from "./server-bridge.ts";
export { statusOf } from "./status.ts";
export { serveStdio, type ServeStdioOptions } from "./serve-stdio.ts";
export { StdioServerTransport } from "./stdio-server-transport.ts";
export { createHttpApp, serveHttp, type HttpAppOptions, type MetricsEndpoint, type ServeHttpOptions } from "./http/index.ts";
