/**
 * MCP client config files (Claude Code, Claude Desktop, Cursor): where they are, their `mcpServers`,
 * and the entry that starts `hangar serve`. Used by `hangar init` and `hangar doctor`.
 */
export { applyEntry, backupStamp, type AppliedEntry } from "./apply-entry.ts";
export { allClientFiles, claudeDesktopPath, clientFile, CLIENTS, type ClientFile, type ClientLocations, type ClientName } from "./client-files.ts";
export { claudeMcpAddLine, hangarEntry, startsHangar, type CommandEntry } from "./hangar-entry.ts";
export { isRecord, readClientConfig, serversOf, type ClientConfig, type McpServerEntry } from "./read-client-config.ts";
