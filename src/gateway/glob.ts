/**
 * Tool-name globs: `*` is any run of characters (none too), `?` exactly one character, and every other
 * character stands for itself. A pattern matches the whole name, whatever the name holds: `/`, `.`, a
 * leading dot, spaces, `[`, `{`, `\` and any Unicode are plain characters (no path rules, classes,
 * braces, escapes or negation, unlike file globs). `?` is one code point, so one emoji is one character.
 *
 * No backtracking: the pieces between stars are placed leftmost, in order, which is correct for `*`
 * and takes at most name length × pattern length steps (linear in the name for a given pattern).
 */

/** Whether `name` as a whole matches `pattern`. */
export function globMatches(pattern: string, name: string): boolean {
  const text = Array.from(name);
  const parts = pattern.split("*").map((part) => Array.from(part));
  const first = parts[0] ?? [];
  if (parts.length === 1) return text.length === first.length && matchesAt(first, text, 0);
  const last = parts.at(-1) ?? [];
  const end = text.length - last.length;
  if (end < first.length || !matchesAt(first, text, 0) || !matchesAt(last, text, end)) return false;
  let position = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = find(part, text, position, end);
    if (found < 0) return false;
    position = found + part.length;
  }
  return true;
}

/** Whether `part` (with `?` for any one character) matches `text` at `start`. */
function matchesAt(part: readonly string[], text: readonly string[], start: number): boolean {
  for (let i = 0; i < part.length; i++) if (part[i] !== "?" && part[i] !== text[start + i]) return false;
  return true;
}

/** The leftmost place from `from` where `part` matches and ends by `end`; -1 when there is none. */
function find(part: readonly string[], text: readonly string[], from: number, end: number): number {
  for (let start = from; start + part.length <= end; start++) if (matchesAt(part, text, start)) return start;
  return -1;
}
