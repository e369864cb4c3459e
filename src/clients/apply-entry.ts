/**
 * Writing the hangar entry into a client's config: the file is backed up first (`PATH.bak-<timestamp>`),
 * every other key is kept, only `mcpServers.hangar` is set, and the servers being moved into hangar (if
 * any) are removed. A file that already has exactly that entry, and none of those servers, is left
 * alone (no write, no backup).
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import * as nodePath from "node:path";
import { ConfigError } from "../errors.ts";
import type { CommandEntry } from "./hangar-entry.ts";
import { isRecord, readClientConfig } from "./read-client-config.ts";

/** A server to take out of the client's config: by name, in a project of `~/.claude.json` or at the top. */
export interface ServerToRemove {
  readonly name: string;
  /** The project (a key of `projects`) whose `mcpServers` hold it; undefined: the top-level `mcpServers`. */
  readonly project?: string | undefined;
}

/** Options of `applyEntry`; every field says its default. */
export interface ApplyEntryOptions {
  /** Servers to remove, as `hangar init --move` does once they are hangar's providers (default none). */
  readonly remove?: readonly ServerToRemove[];
  /** The time in the backup's name (default now). */
  readonly now?: Date;
}

/** What `applyEntry` did. */
export interface AppliedEntry {
  readonly path: string;
  /** The backup of the file as it was; undefined when there was no file, or nothing changed. */
  readonly backup: string | undefined;
  /** There was already a `hangar` entry, now replaced. */
  readonly replaced: boolean;
  /** The servers removed (names as the client had them). */
  readonly removed: readonly string[];
  /** The file already had exactly this entry and none of the servers to remove: nothing was written. */
  readonly unchanged: boolean;
}

/** A timestamp for backup names: `20261125T164500Z`. */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** Removes the own key `name` from `map`; true when it was there. */
function without(map: Record<string, unknown>, name: string): boolean {
  if (!Object.hasOwn(map, name)) return false;
  delete map[name];
  return true;
}

/** Sets `mcpServers.hangar` in the client config at `path` (and removes `options.remove`), after a backup. */
export async function applyEntry(
  path: string,
  entry: CommandEntry,
  options: ApplyEntryOptions = {},
): Promise<AppliedEntry> {
  const current = await readClientConfig(path);
  if (current.kind === "invalid") {
    throw new ConfigError(`Cannot add hangar to ${path}: ${current.reason}; fix the file or add the entry by hand`);
  }
  const data: Record<string, unknown> = current.kind === "ok" ? { ...current.data } : {};
  const servers = isRecord(data.mcpServers) ? { ...data.mcpServers } : {};
  const removed: string[] = [];
  const projects = isRecord(data.projects) ? { ...data.projects } : undefined;
  for (const server of options.remove ?? []) {
    if (server.project === undefined) {
      if (without(servers, server.name)) removed.push(server.name);
      continue;
    }
    const project = projects?.[server.project];
    if (projects === undefined || !isRecord(project) || !isRecord(project.mcpServers)) continue;
    const inProject = { ...project.mcpServers };
    if (!without(inProject, server.name)) continue;
    projects[server.project] = { ...project, mcpServers: inProject };
    removed.push(server.name);
  }
  if (projects !== undefined) data.projects = projects;
  const replaced = "hangar" in servers;
  const wanted = { command: entry.command, args: [...entry.args] };
  if (replaced && removed.length === 0 && JSON.stringify(servers.hangar) === JSON.stringify(wanted)) {
    return { path, backup: undefined, replaced, removed, unchanged: true };
  }
  servers.hangar = wanted;
  data.mcpServers = servers;
  let backup: string | undefined;
  if (current.kind === "ok") {
    backup = `${path}.bak-${backupStamp(options.now ?? new Date())}`;
    await copyFile(path, backup);
  } else {
    await mkdir(nodePath.dirname(path), { recursive: true });
  }
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return { path, backup, replaced, removed, unchanged: false };
}
