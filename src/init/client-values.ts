/**
 * A client's config value rewritten in hangar's syntax, so that the provider gets exactly what that
 * client would have given it. Hangar fills `${NAME}` and `${NAME:-default}` in every string and reads
 * `$${` as a literal `${`; Claude Desktop fills nothing, Claude Code fills the same two forms as hangar
 * (in `command`, `args`, `env`, `url` and `headers`, leaving any other `${…}` as text), and Cursor fills
 * `${env:NAME}`, `${userHome}`, `${workspaceFolder}`, `${workspaceFolderBasename}` and `${pathSeparator}`
 * (or `${/}`) in the same places.
 */
import * as nodePath from "node:path";
import { type ClientName, clientOfFile } from "../clients/index.ts";

/** How to read the values of one imported file; every field says its default. */
export interface ValueSource {
  /**
   * The client whose file it is (default: not known, when the file's name does not say; then
   * `${NAME}`, `${NAME:-default}` and `${env:NAME}` are kept as variables, any other `${` as text).
   */
  readonly client?: ClientName | undefined;
  /** The home directory, Cursor's `${userHome}` (default: none, so it stays text and is reported). */
  readonly home?: string | undefined;
  /** The folder whose `.cursor/mcp.json` it is, Cursor's `${workspaceFolder}` (default: none, as for `~/.cursor`). */
  readonly workspace?: string | undefined;
}

/** One value as hangar's config must write it, and the `${…}` the client fills that hangar cannot. */
export interface HangarValue {
  readonly text: string;
  /** Each written as text instead (a Cursor `${workspaceFolder}` of `~/.cursor/mcp.json`, say). */
  readonly unfilled: readonly string[];
}

/**
 * How to read the values of the client config at `path` (absolute): its client told by its name, and
 * for a project's `.cursor/mcp.json` that project's folder (`~/.cursor/mcp.json` has none).
 */
export function valueSourceOf(path: string, home: string): ValueSource {
  const client = clientOfFile(path);
  const folder = nodePath.dirname(nodePath.dirname(path));
  const workspace = client === "cursor" && nodePath.resolve(folder) !== nodePath.resolve(home) ? folder : undefined;
  return { client, home, workspace };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HANGAR_VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*(?::-.*)?$/s;
const CURSOR_ENV = /^env:(.*)$/s;
// What Claude Code and Cursor take for a variable: `${`, anything but `}`, then `}`.
const VARIABLE = /\$\{([^}]*)\}/g;

/** `text` as text in hangar's config: every `${` written `$${`, which hangar reads back as `${`. */
export function literal(text: string): string {
  // A function, not a string: in a replacement string `$$` stands for one `$`.
  return text.replaceAll("${", () => "$${");
}

/** `text`, as the client `source` names writes it, in hangar's syntax. */
export function hangarValue(text: string, source: ValueSource): HangarValue {
  // Claude Desktop passes every value on as it is written.
  if (source.client === "claude-desktop" || !text.includes("${")) return { text: literal(text), unfilled: [] };
  const unfilled: string[] = [];
  let out = "";
  let pending = "";
  let at = 0;
  // The text between variables is gathered first and escaped as a whole: a `$` and a `{` from two
  // pieces must not meet as a `${` that hangar would fill.
  const addText = (piece: string) => {
    pending += piece;
  };
  for (const match of text.matchAll(VARIABLE)) {
    addText(text.slice(at, match.index));
    at = match.index + match[0].length;
    const filled = fill(match[1] ?? "", source);
    if (filled.kind === "value") addText(filled.value);
    else if (filled.kind === "variable" && !pending.endsWith("$")) {
      out += literal(pending) + filled.written;
      pending = "";
    } else {
      // Hangar has no way to write a `$` just before a variable it fills: `$${` is always text.
      if (filled.kind === "variable") unfilled.push(`$${match[0]}`);
      else if (filled.kind === "unfilled") unfilled.push(match[0]);
      addText(match[0]);
    }
  }
  addText(text.slice(at));
  return { text: out + literal(pending), unfilled };
}

type Filled =
  | { readonly kind: "variable"; readonly written: string }
  | { readonly kind: "value"; readonly value: string }
  | { readonly kind: "text" }
  | { readonly kind: "unfilled" };

/** What the client makes of `${inside}`: a variable hangar fills alike, a value known now, or text. */
function fill(inside: string, source: ValueSource): Filled {
  const env = CURSOR_ENV.exec(inside);
  if (source.client === "claude-code") {
    return HANGAR_VARIABLE.test(inside) ? { kind: "variable", written: `\${${inside}}` } : { kind: "text" };
  }
  if (source.client === undefined) {
    if (HANGAR_VARIABLE.test(inside)) return { kind: "variable", written: `\${${inside}}` };
    return env?.[1] !== undefined && NAME.test(env[1])
      ? { kind: "variable", written: `\${${env[1]}}` }
      : { kind: "text" };
  }
  // Cursor.
  if (env?.[1] !== undefined)
    return NAME.test(env[1]) ? { kind: "variable", written: `\${${env[1]}}` } : { kind: "unfilled" };
  const known = (value: string | undefined): Filled =>
    value === undefined ? { kind: "unfilled" } : { kind: "value", value };
  switch (inside) {
    case "userHome":
      return known(source.home);
    case "workspaceFolder":
      return known(source.workspace);
    case "workspaceFolderBasename":
      return known(source.workspace === undefined ? undefined : nodePath.basename(source.workspace));
    case "pathSeparator":
    case "/":
      return { kind: "value", value: nodePath.sep };
    default:
      return { kind: "text" };
  }
}
