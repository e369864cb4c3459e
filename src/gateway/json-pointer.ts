/**
 * JSON Pointer (RFC 6901), the one path syntax of a batch: `$hangar.ref` targets and `select`. Written
 * here rather than taken from npm because it is a few lines and must be safe on a provider's untrusted
 * answer: it reads only own properties (never `__proto__` or an inherited `constructor`), never writes,
 * and runs in time linear in the pointer.
 */

/** A parsed pointer: its reference tokens, unescaped (`~1` → `/`, `~0` → `~`); [] is the whole document. */
export type PointerTokens = readonly string[];

/** The tokens of `pointer`, or a sentence saying why it is not a JSON Pointer. */
export function parsePointer(pointer: string): PointerTokens | string {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return `"${pointer}" is not a JSON Pointer: it must be empty or start with "/"`;
  if (/~(?![01])/.test(pointer)) return `"${pointer}" is not a JSON Pointer: "~" must be followed by 0 or 1`;
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** What a pointer found: the value, or how far it got before finding nothing. */
export type PointerHit = { readonly found: true; readonly value: unknown } | { readonly found: false };

/** Evaluates `tokens` against `document`: an array index is "0" or digits without a leading zero ("-" is nothing). */
export function evaluatePointer(document: unknown, tokens: PointerTokens): PointerHit {
  let value = document;
  for (const token of tokens) {
    if (Array.isArray(value)) {
      if (!/^(?:0|[1-9]\d*)$/.test(token)) return { found: false };
      const index = Number(token);
      if (index >= value.length) return { found: false };
      value = value[index];
    } else if (value !== null && typeof value === "object") {
      if (!Object.hasOwn(value, token)) return { found: false };
      value = (value as Record<string, unknown>)[token];
    } else {
      return { found: false };
    }
  }
  return value === undefined ? { found: false } : { found: true, value };
}
