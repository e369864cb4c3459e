/** How `hangar init` reports what it imported and the client entry it suggests. */
import {
  type AppliedEntry,
  type ClientLocations,
  type ClientName,
  type CommandEntry,
  claudeMcpAddLine,
  clientFile,
  shellWord,
} from "../clients/index.ts";
import type { ImportResult, WrittenConfig } from "../init/index.ts";

/** How the printed next steps name the config just written, so that each runs as printed. */
export interface ConfigRef {
  /** `hangar init`'s option for it: `--global` or `--path FILE`. */
  readonly initFlag: string;
  /** The words to put after `hangar` so that a command reads it: "" when hangar finds it by itself here. */
  readonly configFlag: string;
}

/** The `ConfigRef` of `path`; `foundByDefault` says whether a bare `hangar doctor` here would read it. */
export function configRef(path: string, globalPath: string, foundByDefault: boolean): ConfigRef {
  return {
    initFlag: path === globalPath ? "--global" : `--path ${shellWord(path)}`,
    configFlag: foundByDefault ? "" : `--config ${shellWord(path)} `,
  };
}

/** Lines saying what was imported, what was skipped and why, and whether hangar can load the result. */
export function formatImport(
  written: WrittenConfig,
  result: ImportResult,
  from: string,
  secrets: boolean,
  ref: ConfigRef,
): string[] {
  const count = result.servers.length;
  const ids = result.servers.map((server) =>
    server.id === server.name ? server.id : `${server.id} (was "${server.name}")`,
  );
  const out = [
    `${written.replaced ? "Replaced" : "Wrote"} ${written.path}: ${count} provider${count === 1 ? "" : "s"} imported from ${from}${count ? `: ${ids.join(", ")}` : ""}.`,
  ];
  for (const skip of result.skipped) out.push(`  skipped "${skip.name}": ${skip.reason}`);
  if (secrets) out.push("  env and header values were copied as written; the file is readable by you only (0600).");
  if (written.problems === undefined) out.push(`Check the providers with \`hangar ${ref.configFlag}doctor\`.`);
  else out.push(`Hangar cannot load it as it is:\n${written.problems}`);
  return out;
}

/** What `--move` did to the client's file it imported from. */
export function formatMove(applied: AppliedEntry): string[] {
  if (applied.unchanged)
    return [`${applied.path} already starts hangar and none of the imported servers; nothing was changed.`];
  const backup = applied.backup === undefined ? "" : ` (the old file is kept as ${applied.backup})`;
  const count = applied.removed.length;
  const removed =
    count === 0
      ? ""
      : `removed ${count} server${count === 1 ? "" : "s"} now run by hangar (${applied.removed.join(", ")}) and `;
  return [
    `Moved: ${removed}${applied.replaced ? "replaced" : "added"} the "hangar" entry in ${applied.path}${backup}; restart the client to load it.`,
  ];
}

/** The client entry as JSON, the `claude mcp add` line, and where each client keeps its config. */
export function formatClientEntry(
  entry: CommandEntry,
  clients: readonly ClientName[],
  locations: ClientLocations,
  ref: ConfigRef,
): string[] {
  const json = JSON.stringify({ mcpServers: { hangar: { command: entry.command, args: entry.args } } });
  const out = ["To call your providers through hangar from an MCP client, add this to its config:", `  ${json}`, ""];
  for (const client of clients) {
    const file = clientFile(client, locations);
    if (client === "claude-code")
      out.push(`  Claude Code:     ${claudeMcpAddLine(entry)}`, `                   (or add it to ${file.path})`);
    else out.push(`  ${`${file.label}:`.padEnd(16)} ${file.path}`);
  }
  const example = clients.length === 1 ? clients[0] : "claude-desktop";
  out.push(
    "",
    `Or let hangar add it (after a backup of the file): hangar init ${ref.initFlag} --client ${example} --apply`,
  );
  return out;
}
