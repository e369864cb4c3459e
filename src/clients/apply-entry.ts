/**
 * Writing the hangar entry into a client's config: the file is backed up first (`PATH.bak-<timestamp>`),
 * every other key is kept, and only `mcpServers.hangar` is set. A file that already has exactly that entry
 * is left alone (no write, no backup).
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import * as nodePath from "node:path";
import { ConfigError } from "../errors.ts";
import type { CommandEntry } from "./hangar-entry.ts";
import { isRecord, readClientConfig } from "./read-client-config.ts";

/** What `applyEntry` did. */
export interface AppliedEntry {
  readonly path: string;
  /** The backup of the file as it was; undefined when there was no file. */
  readonly backup: string | undefined;
  /** There was already a `hangar` entry, now replaced. */
  readonly replaced: boolean;
  /** The file already had exactly this entry: nothing was written and no backup made. */
  readonly unchanged: boolean;
}

/** A timestamp for backup names: `20261125T164500Z`. */
export function backupStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** Sets `mcpServers.hangar` in the client config at `path`, after backing the file up. */
export async function applyEntry(path: string, entry: CommandEntry, now = new Date()): Promise<AppliedEntry> {
  const current = await readClientConfig(path);
  if (current.kind === "invalid") {
    throw new ConfigError(`Cannot add hangar to ${path}: ${current.reason}; fix the file or add the entry by hand`);
  }
  const data: Record<string, unknown> = current.kind === "ok" ? { ...current.data } : {};
  const servers = isRecord(data.mcpServers) ? { ...data.mcpServers } : {};
  const replaced = "hangar" in servers;
  const wanted = { command: entry.command, args: [...entry.args] };
  if (replaced && JSON.stringify(servers.hangar) === JSON.stringify(wanted)) {
    return { path, backup: undefined, replaced, unchanged: true };
  }
  servers.hangar = wanted;
  data.mcpServers = servers;
  let backup: string | undefined;
  if (current.kind === "ok") {
    backup = `${path}.bak-${backupStamp(now)}`;
    await copyFile(path, backup);
  } else {
    await mkdir(nodePath.dirname(path), { recursive: true });
  }
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
  return { path, backup, replaced, unchanged: false };
}
