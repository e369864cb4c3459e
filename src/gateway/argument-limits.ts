/** The deepest a call's arguments may nest objects and arrays (the arguments object itself is level 1). */
export const MAX_ARGUMENT_DEPTH = 128;
/** The largest a call's arguments may be as JSON text, in bytes (4 MiB, the HTTP front's body limit). */
export const MAX_ARGUMENT_BYTES = 4 * 1024 * 1024;

/**
 * Why a call's arguments are too deep or too large to send, or undefined when they fit. It walks with
 * its own stack, never recursion (a hostile depth would overflow the call stack, as `JSON.stringify`
 * does at a few thousand levels), and stops at the first limit crossed. The size counted is a lower
 * bound of the JSON text: strings in UTF-8 without escapes, plus quotes, brackets and separators.
 */
export function argumentLimitProblem(args: Record<string, unknown> | undefined): string | undefined {
  if (args === undefined || flatAndSmall(args)) return undefined;
  // Two parallel stacks (values and their depths): no object per value walked.
  const values: unknown[] = [args];
  const depths: number[] = [1];
  let bytes = 0;
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value === "string") bytes += Buffer.byteLength(value) + 2;
    else if (value === null || typeof value !== "object") bytes += String(value).length;
    else {
      if (depth > MAX_ARGUMENT_DEPTH)
        return `arguments are nested more than ${MAX_ARGUMENT_DEPTH} levels deep (the limit is ${MAX_ARGUMENT_DEPTH})`;
      bytes += 2;
      if (Array.isArray(value)) {
        for (const item of value) {
          values.push(item);
          depths.push(depth + 1);
        }
        bytes += value.length;
      } else {
        const object = value as Record<string, unknown>;
        for (const key in object) {
          if (!Object.hasOwn(object, key)) continue;
          bytes += Buffer.byteLength(key) + 4;
          values.push(object[key]);
          depths.push(depth + 1);
        }
      }
    }
    if (bytes > MAX_ARGUMENT_BYTES)
      return `arguments are larger than ${MAX_ARGUMENT_BYTES} bytes as JSON (the limit is 4 MiB)`;
  }
  return undefined;
}

/** The most characters a number, boolean, null or undefined counts for (`-0.0000012345678901234567`). */
const MAX_PRIMITIVE_CHARS = 25;

/**
 * Whether `args` surely fits without the walk (most calls): an object of strings, numbers, booleans and
 * nulls only, whose size as the walk counts it is at most `MAX_ARGUMENT_BYTES` even were every character
 * three UTF-8 bytes. False says nothing: the walk decides.
 */
function flatAndSmall(args: Record<string, unknown>): boolean {
  let most = 2;
  for (const key in args) {
    if (!Object.hasOwn(args, key)) continue;
    const value = args[key];
    most += 3 * key.length + 4;
    if (typeof value === "string") most += 3 * value.length + 2;
    else if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean")
      most += MAX_PRIMITIVE_CHARS;
    else return false;
  }
  return most <= MAX_ARGUMENT_BYTES;
}
