/**
 * Where MCP clients keep their `mcpServers` config on this machine: Claude Code (user and project),
 * Claude Desktop (per platform) and Cursor.
 */
import * as nodePath from "node:path";

/** The clients `hangar init --client` can write to. */
export const CLIENTS = ["claude-code", "claude-desktop", "cursor"] as const;
/** One of `CLIENTS`. */
export type ClientName = (typeof CLIENTS)[number];

/** A client config file: which client reads it, and where it is. */
export interface ClientFile {
  readonly client: ClientName;
  /** How people call it: "Claude Code", "Claude Code (project)", "Claude Desktop", "Cursor". */
  readonly label: string;
  readonly path: string;
}

/** Where to look: the home directory, the project directory and the platform (default: this process's). */
export interface ClientLocations {
  readonly home: string;
  readonly cwd: string;
  readonly platform?: NodeJS.Platform;
  /** `%APPDATA%` on Windows (default `<home>/AppData/Roaming`). */
  readonly appData?: string;
}

/** Claude Desktop's config file on `platform`. */
export function claudeDesktopPath(locations: ClientLocations): string {
  const platform = locations.platform ?? process.platform;
  if (platform === "darwin")
    return nodePath.join(locations.home, "Library", "Application Support", "Claude", "claude_desktop_config.json");
  if (platform === "win32") {
    const appData = locations.appData ?? nodePath.join(locations.home, "AppData", "Roaming");
    return nodePath.join(appData, "Claude", "claude_desktop_config.json");
  }
  return nodePath.join(locations.home, ".config", "Claude", "claude_desktop_config.json");
}

/** The user-level config file of `client` (the one `hangar init --apply` writes). */
export function clientFile(client: ClientName, locations: ClientLocations): ClientFile {
  switch (client) {
    case "claude-code":
      return { client, label: "Claude Code", path: nodePath.join(locations.home, ".claude.json") };
    case "claude-desktop":
      return { client, label: "Claude Desktop", path: claudeDesktopPath(locations) };
    case "cursor":
      return { client, label: "Cursor", path: nodePath.join(locations.home, ".cursor", "mcp.json") };
  }
}

/** Every client config file worth looking at, the project's `.mcp.json` (Claude Code) included. */
export function allClientFiles(locations: ClientLocations): ClientFile[] {
  return [
    clientFile("claude-code", locations),
    { client: "claude-code", label: "Claude Code (project)", path: nodePath.join(locations.cwd, ".mcp.json") },
    clientFile("claude-desktop", locations),
    clientFile("cursor", locations),
  ];
}

/**
 * The client that reads the config file at `path`, told by its name (as the clients name them:
 * `.claude.json`, `.mcp.json`, `claude_desktop_config.json`, `.cursor/mcp.json`); undefined for any other
 * name. Importing needs it: each client treats `${…}` in its values its own way.
 */
export function clientOfFile(path: string): ClientName | undefined {
  const name = nodePath.basename(path);
  if (name === ".claude.json" || name === ".mcp.json") return "claude-code";
  if (name === "claude_desktop_config.json") return "claude-desktop";
  if (name === "mcp.json" && nodePath.basename(nodePath.dirname(path)) === ".cursor") return "cursor";
  return undefined;
}
