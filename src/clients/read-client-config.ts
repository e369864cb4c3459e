/**
 * Reading a client's config file: the JSON itself and the `mcpServers` entries in it (for Claude Code's
 * `~/.claude.json`, also those of the current project under `projects`), and which of them are
 * project-scoped (Claude Code starts those in the project's directory).
 */
import { readFile } from "node:fs/promises";
import * as nodePath from "node:path";
import { messageOf } from "../errors.ts";

/** One `mcpServers` entry as a client has it; other keys are kept but not read. */
export interface McpServerEntry {
  readonly command?: unknown;
  readonly args?: unknown;
  readonly env?: unknown;
  readonly url?: unknown;
  readonly type?: unknown;
  readonly headers?: unknown;
  readonly disabled?: unknown;
  readonly [key: string]: unknown;
}

/** A client config file as read: missing, not JSON, or its data and servers. */
export type ClientConfig =
  | { readonly kind: "missing" }
  | { readonly kind: "invalid"; readonly reason: string }
  | {
      readonly kind: "ok";
      readonly data: Record<string, unknown>;
      readonly servers: Readonly<Record<string, McpServerEntry>>;
      /** Project-scoped servers by name, with the directory their client starts them in. */
      readonly projectDirs: Readonly<Record<string, string>>;
    };

/** Reads `path`; `projectDir` picks Claude Code's per-project servers in `~/.claude.json`. */
export async function readClientConfig(path: string, projectDir?: string): Promise<ClientConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return { kind: "missing" };
    return { kind: "invalid", reason: `it cannot be read: ${messageOf(error)}` };
  }
  let data: unknown;
  try {
    data = text.trim() === "" ? {} : JSON.parse(text);
  } catch (error) {
    return { kind: "invalid", reason: `it is not valid JSON: ${messageOf(error)}` };
  }
  if (!isRecord(data)) return { kind: "invalid", reason: "it is not a JSON object" };
  const servers = serversOf(data, projectDir);
  return { kind: "ok", data, servers, projectDirs: projectDirsOf(path, data, servers, projectDir) };
}

/**
 * Which servers Claude Code runs in a project's directory: every one of a project's `.mcp.json`, and in
 * `~/.claude.json` those under `projects[projectDir]`.
 */
function projectDirsOf(
  path: string,
  data: Record<string, unknown>,
  servers: Readonly<Record<string, McpServerEntry>>,
  projectDir: string | undefined,
): Record<string, string> {
  const dirs: Record<string, string> = {};
  const set = (name: string, dir: string) =>
    Object.defineProperty(dirs, name, { value: dir, enumerable: true, writable: true, configurable: true });
  if (nodePath.basename(path) === ".mcp.json") {
    for (const name of Object.keys(servers)) set(name, nodePath.dirname(nodePath.resolve(path)));
    return dirs;
  }
  const project = projectDir === undefined || !isRecord(data.projects) ? undefined : data.projects[projectDir];
  if (projectDir !== undefined && isRecord(project) && isRecord(project.mcpServers)) {
    for (const name of Object.keys(project.mcpServers)) if (name in servers) set(name, projectDir);
  }
  return dirs;
}

/** The `mcpServers` of a client config (top level, then the project's, which win on a name clash). */
export function serversOf(data: Record<string, unknown>, projectDir?: string): Record<string, McpServerEntry> {
  const servers: Record<string, McpServerEntry> = {};
  const add = (map: unknown) => {
    if (!isRecord(map)) return;
    for (const [name, entry] of Object.entries(map)) {
      if (isRecord(entry))
        Object.defineProperty(servers, name, { value: entry, enumerable: true, writable: true, configurable: true });
    }
  };
  add(data.mcpServers);
  const projects = data.projects;
  if (projectDir !== undefined && isRecord(projects)) {
    const project = projects[projectDir];
    if (isRecord(project)) add(project.mcpServers);
  }
  return servers;
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
