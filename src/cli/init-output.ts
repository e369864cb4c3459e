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
import type { ImportedServer, ImportResult, ValueSource, WrittenConfig } from "../init/index.ts";

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

/**
 * Lines saying what was imported, what was skipped or changed and why, and whether hangar can load the
 * result; `source` is how the values of `from` were read.
 */
export function formatImport(
  written: WrittenConfig,
  result: ImportResult,
  from: string,
  secrets: boolean,
  ref: ConfigRef,
  source: ValueSource = {},
): string[] {
  const count = result.servers.length;
  const ids = result.servers.map((server) =>
    server.id === server.name ? server.id : `${server.id} (was "${server.name}")`,
  );
  const out = [
    `${written.replaced ? "Replaced" : "Wrote"} ${written.path}: ${count} provider${count === 1 ? "" : "s"} imported from ${from}${count ? `: ${ids.join(", ")}` : ""}.`,
  ];
  for (const skip of result.skipped) out.push(`  skipped "${skip.name}": ${skip.reason}`);
  for (const server of result.servers)
    for (const change of server.notCarried) out.push(`  changed "${server.name}": ${change}`);
  if (source.client === undefined && count > 0)
    out.push(
      `  ${from} is not a file name hangar knows a client by: \`\${NAME}\` and \`\${env:NAME}\` in it were kept as variables, any other \`\${\` as text.`,
    );
  if (secrets) out.push("  env and header values were copied as written; the file is readable by you only (0600).");
  if (written.problems === undefined) out.push(`Check the providers with \`hangar ${ref.configFlag}doctor\`.`);
  else out.push(`Hangar cannot load it as it is:\n${written.problems}`);
  return out;
}

/**
 * What `--move` did to the client's file it imported from; `kept` are the imported servers it left
 * there, as their providers do not get all the client gave them (their "changed" lines say what).
 */
export function formatMove(applied: AppliedEntry, kept: readonly ImportedServer[] = []): string[] {
  const keptLines = kept.map(
    (server) =>
      `Kept "${server.name}" in ${applied.path}: hangar's provider "${server.id}" lacks what its "changed" lines say; complete it, then remove "${server.name}" there by hand.`,
  );
  if (applied.unchanged)
    return [
      `${applied.path} already starts hangar and none of the imported servers; nothing was changed.`,
      ...keptLines,
    ];
  const backup = applied.backup === undefined ? "" : ` (the old file is kept as ${applied.backup})`;
  const count = applied.removed.length;
  const removed =
    count === 0
      ? ""
      : `removed ${count} server${count === 1 ? "" : "s"} now run by hangar (${applied.removed.join(", ")}) and `;
  return [
    `Moved: ${removed}${applied.replaced ? "replaced" : "added"} the "hangar" entry in ${applied.path}${backup}; restart the client to load it.`,
    ...keptLines,
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
