/** `hangar init`'s pieces: the starter config, importing another client's `mcpServers`, writing the file. */
export { importedConfig, importServers, type ImportedServer, type ImportResult } from "./import-servers.ts";
export { starterConfig } from "./starter-config.ts";
export { exists, writeConfig, type WriteConfigOptions, type WrittenConfig } from "./write-config.ts";
