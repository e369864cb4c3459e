/**
 * Reading a client's config file: the JSON itself and the `mcpServers` entries in it (for Claude Code's
 * `~/.claude.json`, also those of the current project under `projects`).
 */
import { readFile } from "node:fs/promises";
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
  return { kind: "ok", data, servers: serversOf(data, projectDir) };
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
