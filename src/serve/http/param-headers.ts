/**
 * SEP-2243 `Mcp-Param-*` headers of a 2026-07-28 `tools/call` over HTTP. A tool's input schema may name an
 * argument's header with `x-mcp-header` (on a property reached from the root through `properties` only);
 * when the call's arguments carry a value there, the request must carry `Mcp-Param-<name>` with the same
 * value (as text; `=?base64?…?=` holds Base64 of UTF-8; integers compare as numbers). A null or absent
 * argument needs no header. The SDK checks this only for tools its McpServer registered, so Hangar checks
 * the tools it relays itself.
 */

/** One argument a tool mirrors in a header. */
export interface ParamHeader {
  /** Where the argument is, from the arguments' root (a chain of property names). */
  readonly path: readonly string[];
  /** The header's name after `Mcp-Param-`. */
  readonly name: string;
  /** The property's JSON Schema `type`, when it names one. */
  readonly type: string | undefined;
}

/** The error code of a request whose headers and body disagree (HeaderMismatch). */
export const HEADER_MISMATCH = -32020;

const SENTINEL_START = "=?base64?";
const SENTINEL_END = "?=";
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DECIMAL = /^-?\d+(?:\.\d+)?$/;

/** The headers a tool's input schema declares: `x-mcp-header` on properties reached through `properties`. */
export function paramHeaders(inputSchema: unknown): ParamHeader[] {
  const found: ParamHeader[] = [];
  const visit = (schema: unknown, path: readonly string[]) => {
    if (typeof schema !== "object" || schema === null) return;
    const node = schema as { "x-mcp-header"?: unknown; type?: unknown; properties?: unknown };
    const name = node["x-mcp-header"];
    if (path.length > 0 && typeof name === "string" && name !== "")
      found.push({ path, name, type: typeof node.type === "string" ? node.type : undefined });
    if (typeof node.properties !== "object" || node.properties === null) return;
    for (const [key, child] of Object.entries(node.properties)) visit(child, [...path, key]);
  };
  visit(inputSchema, []);
  return found;
}

/**
 * Why the request's `Mcp-Param-*` headers do not match the call's `args` for the tool's `declared`
 * headers, in one sentence; undefined when they match.
 */
export function paramHeaderProblem(
  declared: readonly ParamHeader[],
  args: unknown,
  headers: Headers,
): string | undefined {
  for (const param of declared) {
    const value = valueAt(args, param.path);
    const text = asText(value);
    if (text === undefined) continue;
    const header = `Mcp-Param-${param.name}`;
    const raw = headers.get(header);
    const where = param.path.join(".");
    if (raw === null) return `the arguments carry ${where} but the ${header} header is absent`;
    const decoded = headerText(raw.trim());
    if (decoded === undefined) return `the ${header} header's Base64 value is not valid`;
    const numeric = (param.type === "integer" || param.type === "number") && typeof value === "number";
    const same = numeric && DECIMAL.test(decoded) ? Number(decoded) === value : decoded === text;
    if (!same)
      return `the ${header} header says ${JSON.stringify(decoded)} but the arguments carry ${where}=${JSON.stringify(value)}`;
  }
  return undefined;
}

/** The argument at `path`, if there is one. */
function valueAt(args: unknown, path: readonly string[]): unknown {
  let node = args;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A primitive argument as its header text; undefined for null, absent, or a value no header carries. */
function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number" && Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value)))
    return String(value);
  return undefined;
}

/** A header value as text: a Base64 sentinel decoded (undefined when it is not canonical Base64 of UTF-8). */
function headerText(value: string): string | undefined {
  if (!(value.startsWith(SENTINEL_START) && value.endsWith(SENTINEL_END)) || value.length < 11) return value;
  const payload = value.slice(SENTINEL_START.length, -SENTINEL_END.length);
  if (!BASE64.test(payload)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
