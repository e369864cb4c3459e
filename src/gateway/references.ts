import { type PointerTokens, parsePointer } from "./json-pointer.ts";

/**
 * The key of a reference object in a call's arguments: `{"$hangar.ref": "<id>#<JSON Pointer>"}` stands for
 * the value at that pointer in the result of the call labelled `<id>`. JSON Schema's keywords (`$ref`,
 * `$id`, `$defs`, …) hold no dot, so a schema written into arguments is never taken for one.
 */
export const REF_KEY = "$hangar.ref";
/** The escape: `{"$hangar.literal": X}` is sent as X, untouched, whatever keys X holds (`$hangar.ref` too). */
export const LITERAL_KEY = "$hangar.literal";

/** One reference found in a call's arguments. */
export interface Reference {
  /** The `id` of the call it reads. */
  readonly id: string;
  /** The pointer as written ("" = the whole document). */
  readonly pointer: string;
  readonly tokens: PointerTokens;
  /** Where it sits in the arguments, as a dotted path from `arguments` (for messages). */
  readonly at: string;
}

/** What a call's arguments hold of Hangar's own syntax. */
export interface ArgumentMarks {
  readonly refs: readonly Reference[];
  /** Whether any reference or literal is present (else the arguments are sent as they are). */
  readonly marked: boolean;
  /** Why the syntax is malformed (a located sentence), if it is. */
  readonly problem?: string;
}

type Marker = { kind: "ref"; text: unknown; alone: boolean } | { kind: "literal"; value: unknown; alone: boolean };

/** The marker an object is, if it holds one of the two keys. */
function markerOf(value: object): Marker | undefined {
  if (Object.hasOwn(value, REF_KEY))
    return { kind: "ref", text: (value as Record<string, unknown>)[REF_KEY], alone: Object.keys(value).length === 1 };
  if (Object.hasOwn(value, LITERAL_KEY))
    return {
      kind: "literal",
      value: (value as Record<string, unknown>)[LITERAL_KEY],
      alone: Object.keys(value).length === 1,
    };
  return undefined;
}

/** Parses a reference's text: the id is what comes before the first "#", the pointer what follows (none: ""). */
export function parseReference(text: string, at: string): Reference | string {
  const hash = text.indexOf("#");
  const id = hash < 0 ? text : text.slice(0, hash);
  const pointer = hash < 0 ? "" : text.slice(hash + 1);
  if (id === "") return `${at}: the reference "${text}" names no call; write "<id>#<JSON Pointer>"`;
  const tokens = parsePointer(pointer);
  if (typeof tokens === "string") return `${at}: ${tokens}`;
  return { id, pointer, tokens, at };
}

/**
 * Finds the references in `args` (none inside a literal), walking with its own stack so that hostile
 * nesting cannot overflow the call stack. A marker key beside other keys, or a reference that is not a
 * string, is a problem: with the key meant literally, wrap the object in `$hangar.literal`.
 */
export function scanArguments(args: Record<string, unknown> | undefined): ArgumentMarks {
  if (args === undefined) return { refs: [], marked: false };
  const refs: Reference[] = [];
  let marked = false;
  const stack: { value: unknown; at: string }[] = [{ value: args, at: "arguments" }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, at } = next;
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        stack.push({ value: item, at: `${at}.${i}` });
      });
      continue;
    }
    const marker = markerOf(value);
    if (marker) {
      marked = true;
      const key = marker.kind === "ref" ? REF_KEY : LITERAL_KEY;
      if (!marker.alone)
        return {
          refs,
          marked,
          problem: `${at}: an object with "${key}" holds no other key; to send "${key}" as data, wrap the object: {"${LITERAL_KEY}": {...}}`,
        };
      if (marker.kind === "literal") continue;
      if (typeof marker.text !== "string")
        return { refs, marked, problem: `${at}: "${REF_KEY}" takes a string "<id>#<JSON Pointer>"` };
      const ref = parseReference(marker.text, at);
      if (typeof ref === "string") return { refs, marked, problem: ref };
      refs.push(ref);
      continue;
    }
    for (const [key, item] of Object.entries(value)) stack.push({ value: item, at: `${at}.${key}` });
  }
  return { refs: refs.reverse(), marked };
}

/**
 * `args` with each reference replaced by `valueAt` it and each literal by its content (which may make
 * the whole of it something else than an object: see `argumentsObject`). Only for arguments that
 * `scanArguments` found well-formed and within the nesting limit (it recurses).
 */
export function resolveArguments(args: Record<string, unknown>, valueAt: (ref: Reference) => unknown): unknown {
  const walk = (value: unknown, at: string): unknown => {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${at}.${i}`));
    const marker = markerOf(value);
    if (marker?.kind === "literal") return marker.value;
    if (marker?.kind === "ref") {
      const ref = parseReference(marker.text as string, at);
      if (typeof ref === "string") throw new Error(ref);
      return valueAt(ref);
    }
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, `${at}.${key}`)]));
  };
  return walk(args, "arguments");
}
