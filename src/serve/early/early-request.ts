/**
 * The few messages the early reader answers, recognized strictly: a message with anything the SDK
 * might read differently (per-request `_meta`, a cursor, an unknown capability, an odd id) is not one
 * of them, and waits for the SDK. The answer recorder (answer-recorder.ts) records only what this
 * recognizes, so the early reader never answers a request unlike the recorded one.
 */
export type EarlyRequest =
  | { readonly kind: "initialize"; readonly id: string | number; readonly version: string }
  | { readonly kind: "initialized" }
  | { readonly kind: "tools/list"; readonly id: string | number };

type Json = Record<string, unknown>;

/** What `message` is to the early reader, or undefined when the SDK must answer it. */
export function earlyRequestOf(message: unknown): EarlyRequest | undefined {
  if (!isObject(message) || message.jsonrpc !== "2.0") return undefined;
  const { id, method, params } = message;
  if (method === "notifications/initialized")
    return only(message, ["jsonrpc", "method", "params"]) && emptyOrAbsent(params)
      ? { kind: "initialized" }
      : undefined;
  if (!isId(id) || !only(message, ["jsonrpc", "id", "method", "params"])) return undefined;
  if (method === "tools/list") return emptyOrAbsent(params) ? { kind: "tools/list", id } : undefined;
  if (method !== "initialize" || !isObject(params) || !only(params, ["protocolVersion", "capabilities", "clientInfo"]))
    return undefined;
  const { protocolVersion, capabilities, clientInfo } = params;
  if (typeof protocolVersion !== "string" || !plainCapabilities(capabilities) || !plainClientInfo(clientInfo))
    return undefined;
  return { kind: "initialize", id, version: protocolVersion };
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function only(value: Json, keys: readonly string[]): boolean {
  return Object.keys(value).every((key) => keys.includes(key));
}

function emptyOrAbsent(params: unknown): boolean {
  return params === undefined || (isObject(params) && Object.keys(params).length === 0);
}

function isId(id: unknown): id is string | number {
  return (typeof id === "string" && id.length > 0 && id.length <= 200) || Number.isSafeInteger(id);
}

/** 2025 client capabilities of the plain shapes: `roots` with a boolean `listChanged`, the others objects of objects. */
function plainCapabilities(value: unknown): boolean {
  if (!isObject(value) || !only(value, ["roots", "sampling", "elicitation", "experimental"])) return false;
  const { roots, ...rest } = value;
  if (roots !== undefined) {
    if (!isObject(roots) || !only(roots, ["listChanged"])) return false;
    if (roots.listChanged !== undefined && typeof roots.listChanged !== "boolean") return false;
  }
  return Object.values(rest).every((part) => isObject(part) && Object.values(part).every(isObject));
}

function plainClientInfo(value: unknown): boolean {
  return (
    isObject(value) &&
    only(value, ["name", "version", "title"]) &&
    typeof value.name === "string" &&
    typeof value.version === "string" &&
    (value.title === undefined || typeof value.title === "string")
  );
}
