/**
 * Turning another client's `mcpServers` map into hangar's `providers` list: ids made valid and unique,
 * disabled entries and hangar itself skipped, each entry in YAML with every value kept as written.
 */
import * as nodePath from "node:path";
import { isRecord, type McpServerEntry, startsHangar } from "../clients/index.ts";
import { idFromName } from "../config/index.ts";
import { flow } from "./starter-config.ts";

/** One imported server: its new id and its YAML lines (indented as a `providers` item). */
export interface ImportedServer {
  readonly name: string;
  readonly id: string;
  readonly yaml: string;
  /** It carries env or header values (copied as written, secrets perhaps). */
  readonly hasSecrets: boolean;
}

/** What importing found: the servers taken, and those left out with why. */
export interface ImportResult {
  readonly servers: readonly ImportedServer[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** A valid, unused provider id for `name` (`my server` → `my-server`, then `my-server-2`; `a__b_` → `a_b`). */
function idFor(name: string, used: Set<string>): string {
  const base = idFromName(name);
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base.slice(0, 32 - String(n).length - 1)}-${n}`;
  used.add(id);
  return id;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
const stringMap = (value: unknown): Record<string, string> =>
  isRecord(value)
    ? Object.fromEntries(
        Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
      )
    : {};

/**
 * The `providers` entry for one server, or why it cannot be imported; `projectDir` is the directory its
 * client starts it in (a project-scoped server), its `cwd` unless it names one itself.
 */
function entryYaml(
  id: string,
  entry: McpServerEntry,
  projectDir: string | undefined,
): { yaml: string; hasSecrets: boolean } | { reason: string } {
  const lines = [`  - id: ${id}`];
  if (typeof entry.url === "string") {
    lines.push(`    url: ${flow(entry.url)}`);
    if (entry.type === "sse") lines.push(`    transport: sse`);
    else if (entry.type === "http" || entry.type === "streamable-http") lines.push(`    transport: streamable-http`);
    const headers = stringMap(entry.headers);
    if (Object.keys(headers).length) lines.push(`    headers: ${flow(headers)}`);
    return { yaml: lines.join("\n"), hasSecrets: Object.keys(headers).length > 0 };
  }
  if (typeof entry.command !== "string" || entry.command === "")
    return { reason: "it has neither `command` nor `url`" };
  lines.push(`    command: ${flow([entry.command, ...strings(entry.args)])}`);
  const env = stringMap(entry.env);
  if (Object.keys(env).length) lines.push(`    env: ${flow(env)}`);
  const cwd = typeof entry.cwd === "string" && entry.cwd !== "" ? entry.cwd : projectDir;
  if (cwd !== undefined)
    lines.push(`    cwd: ${flow(projectDir === undefined ? cwd : nodePath.resolve(projectDir, cwd))}`);
  return { yaml: lines.join("\n"), hasSecrets: Object.keys(env).length > 0 };
}

/**
 * Imports every usable entry of `servers`; `projectDirs` names the directory of each project-scoped one
 * (see `ClientConfig.projectDirs`), which becomes its `cwd`.
 */
export function importServers(
  servers: Readonly<Record<string, McpServerEntry>>,
  projectDirs: Readonly<Record<string, string>> = {},
): ImportResult {
  const used = new Set<string>();
  const imported: ImportedServer[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const [name, entry] of Object.entries(servers)) {
    if (entry.disabled === true) skipped.push({ name, reason: "it is disabled" });
    else if (startsHangar(entry)) skipped.push({ name, reason: "it is hangar itself" });
    else {
      const id = idFor(name, used);
      const made = entryYaml(id, entry, Object.hasOwn(projectDirs, name) ? projectDirs[name] : undefined);
      if ("reason" in made) {
        used.delete(id);
        skipped.push({ name, reason: made.reason });
      } else imported.push({ name, id, ...made });
    }
  }
  return { servers: imported, skipped };
}

/** The config text for imported servers, with a header saying where they came from. */
export function importedConfig(result: ImportResult, from: string): string {
  const header = [
    `# Hangar config, imported from ${from} by \`hangar init --import\`.`,
    "# Check it with `hangar doctor`. Every setting: https://github.com/mapyr/mcp-hangar#configuration",
    "# Values were copied as written; put secrets in the environment and write ${NAME} here instead.",
    "",
    "pinning: block               # a tool that changes after its first listing is withheld until `hangar pin`",
    "",
    "defaults:",
    "  idle_ttl_s: 300              # stop a provider after this long with nothing in flight; 0 = never",
    "  startup_timeout_s: 30        # raise it for servers that download themselves on first start (npx, uvx)",
    "",
  ];
  if (result.servers.length === 0) return `${header.join("\n")}\nproviders: []\n`;
  return `${header.join("\n")}\nproviders:\n${result.servers.map((server) => server.yaml).join("\n\n")}\n`;
}
