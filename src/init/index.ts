/** `hangar init`'s pieces: the starter config, importing another client's `mcpServers`, writing the file. */
export { hangarValue, literal, type ValueSource, valueSourceOf } from "./client-values.ts";
export { type ImportedServer, type ImportResult, importedConfig, importServers } from "./import-servers.ts";
export { starterConfig } from "./starter-config.ts";
export { exists, type WriteConfigOptions, type WrittenConfig, writeConfig } from "./write-config.ts";
