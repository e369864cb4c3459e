/**
 * MCP client config files (Claude Code, Claude Desktop, Cursor): where they are, their `mcpServers`,
 * and the entry that starts `hangar serve`. Used by `hangar init` and `hangar doctor`.
 */
export {
  type AppliedEntry,
  type ApplyEntryOptions,
  applyEntry,
  backupStamp,
  type ServerToRemove,
} from "./apply-entry.ts";
export {
  allClientFiles,
  CLIENTS,
  type ClientFile,
  type ClientLocations,
  type ClientName,
  claudeDesktopPath,
  clientFile,
  clientOfFile,
} from "./client-files.ts";
export { type CommandEntry, claudeMcpAddLine, hangarEntry, shellWord, startsHangar } from "./hangar-entry.ts";
export { type ClientConfig, isRecord, type McpServerEntry, readClientConfig, serversOf } from "./read-client-config.ts";
