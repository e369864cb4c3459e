/**
 * Turning another client's `mcpServers` map into hangar's `providers` list: ids made valid and unique,
 * disabled entries and hangar itself skipped, each entry in YAML with every value written so that the
 * provider gets what that client gave it (client-values.ts).
 */
import * as nodePath from "node:path";
import { isRecord, type McpServerEntry, startsHangar } from "../clients/index.ts";
import { idFromName } from "../config/index.ts";
import { hangarValue, literal, type ValueSource } from "./client-values.ts";
import { flow } from "./starter-config.ts";

/** One imported server: its new id and its YAML lines (indented as a `providers` item). */
export interface ImportedServer {
  readonly name: string;
  readonly id: string;
  readonly yaml: string;
  /** It carries env or header values (copied, secrets perhaps). */
  readonly hasSecrets: boolean;
  /**
   * What of the entry its provider does not get as the client gave it, each a sentence; not empty:
   * `--move` leaves the server in the client's file.
   */
  readonly notCarried: readonly string[];
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

/**
 * A value as the client passes it on: a string as it is, a number or boolean as its text (what the
 * server finds in its environment for `"PORT": 8080`); undefined for anything else.
 */
function scalar(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
}

/** How `notCarried` names a value that is left out: `null`, `a list`, `a map`. */
const kindOf = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "a list" : typeof value === "object" ? "a map" : typeof value;

/** The items of the list `value` (`where` in the entry), each as `scalar` has it; the rest go to `notCarried`. */
function listAt(value: unknown, where: string, notCarried: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    notCarried.push(`${where} is ${kindOf(value)}, not a list; it is left out`);
    return [];
  }
  return value.flatMap((item, i) => {
    const text = scalar(item);
    if (text === undefined) notCarried.push(`${where}[${i}] is ${kindOf(item)}; it is left out`);
    return text === undefined ? [] : [text];
  });
}

/** The entries of the map `value` (`where` in the entry), each as `scalar` has it; the rest go to `notCarried`. */
function mapAt(value: unknown, where: string, notCarried: string[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    notCarried.push(`${where} is ${kindOf(value)}, not a map; it is left out`);
    return {};
  }
  const map: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    const text = scalar(item);
    if (text === undefined) notCarried.push(`${where}.${key} is ${kindOf(item)}; it is left out`);
    else Object.defineProperty(map, key, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return map;
}

/**
 * The entry's values in hangar's syntax (see `hangarValue`); `notCarried` gets a sentence for each
 * `${…}` the client fills and hangar cannot.
 */
function valuesIn(source: ValueSource, notCarried: string[]) {
  const clientName = source.client === "cursor" ? "Cursor" : "the client";
  const one = (text: string, where: string): string => {
    const value = hangarValue(text, source);
    for (const unfilled of value.unfilled)
      notCarried.push(
        `${where} has \`${unfilled}\`, which ${clientName} fills and hangar cannot; it is written as text`,
      );
    return value.text;
  };
  return {
    one,
    list: (texts: readonly string[], where: string) => texts.map((text) => one(text, where)),
    map: (map: Readonly<Record<string, string>>, where: string) =>
      Object.fromEntries(Object.entries(map).map(([key, text]) => [key, one(text, `${where}.${key}`)])),
  };
}

/**
 * The `providers` entry for one server, or why it cannot be imported; `projectDir` is the directory its
 * client starts it in (a project-scoped server), its `cwd` unless it names one itself.
 */
function entryYaml(
  id: string,
  entry: McpServerEntry,
  projectDir: string | undefined,
  source: ValueSource,
): { yaml: string; hasSecrets: boolean; notCarried: string[] } | { reason: string } {
  const lines = [`  - id: ${id}`];
  const notCarried: string[] = [];
  const values = valuesIn(source, notCarried);
  if (typeof entry.url === "string") {
    lines.push(`    url: ${flow(values.one(entry.url, "url"))}`);
    if (entry.type === "sse") lines.push(`    transport: sse`);
    else if (entry.type === "http" || entry.type === "streamable-http") lines.push(`    transport: streamable-http`);
    const headers = values.map(mapAt(entry.headers, "headers", notCarried), "headers");
    if (Object.keys(headers).length) lines.push(`    headers: ${flow(headers)}`);
    return { yaml: lines.join("\n"), hasSecrets: Object.keys(headers).length > 0, notCarried };
  }
  if (typeof entry.command !== "string" || entry.command === "")
    return { reason: "it has neither `command` nor `url`" };
  const command = [
    values.one(entry.command, "command"),
    ...values.list(listAt(entry.args, "args", notCarried), "args"),
  ];
  lines.push(`    command: ${flow(command)}`);
  const env = values.map(mapAt(entry.env, "env", notCarried), "env");
  // Cursor's file of variables for the server: hangar has no such setting, and copying the variables
  // in would freeze secrets that the file is there to keep apart.
  if (entry.envFile !== undefined)
    notCarried.push(
      `its envFile ${flow(entry.envFile)} is not read by hangar; put those variables in the provider's env or in hangar's environment`,
    );
  if (Object.keys(env).length) lines.push(`    env: ${flow(env)}`);
  const cwd = typeof entry.cwd === "string" && entry.cwd !== "" ? entry.cwd : projectDir;
  // No client fills variables in `cwd`: it is text.
  if (cwd !== undefined)
    lines.push(`    cwd: ${flow(literal(projectDir === undefined ? cwd : nodePath.resolve(projectDir, cwd)))}`);
  return { yaml: lines.join("\n"), hasSecrets: Object.keys(env).length > 0, notCarried };
}

/**
 * Imports every usable entry of `servers`; `projectDirs` names the directory of each project-scoped one
 * (see `ClientConfig.projectDirs`), which becomes its `cwd`; `source` says how that file's client reads
 * `${…}` in its values (default: not known, see `ValueSource`).
 */
export function importServers(
  servers: Readonly<Record<string, McpServerEntry>>,
  projectDirs: Readonly<Record<string, string>> = {},
  source: ValueSource = {},
): ImportResult {
  const used = new Set<string>();
  const imported: ImportedServer[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const [name, entry] of Object.entries(servers)) {
    if (entry.disabled === true) skipped.push({ name, reason: "it is disabled" });
    else if (startsHangar(entry)) skipped.push({ name, reason: "it is hangar itself" });
    else {
      const id = idFor(name, used);
      const made = entryYaml(id, entry, Object.hasOwn(projectDirs, name) ? projectDirs[name] : undefined, source);
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
    "# Values were copied so that each server gets what the client gave it (`$${` is a literal `${`);",
    "# put secrets in the environment and write ${NAME} here instead.",
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
