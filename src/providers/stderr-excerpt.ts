/**
 * The part of a provider's stderr worth quoting when it fails to start: its last meaningful lines, with
 * stack frames, tracebacks' source echoes, carets and runtime banners left out, so that the
 * `Fatal error: …` a few lines above `at async main (…)` is the line the user reads.
 */

/** Lines that locate an error rather than say what it is. */
const NOISE: readonly RegExp[] = [
  /^\s*at\s/, // JavaScript stack frame: "    at main (/app/index.js:12:5)", "at async Promise.all (index 0)"
  /^\s*\^+\s*$/, // Node's caret under the failing expression
  /^\S+:\d+(:\d+)?$/, // Node's "file.js:1423" header above the echoed source line
  /^Node\.js v\d/, // Node's version banner after an uncaught error
  /^Traceback \(most recent call last\):$/, // Python
  /^\s+File ".*", line \d+/, // Python frame
  /^\s*\.\.\. \d+ (more|lines)/, // "... 12 more" (Java), "... 3 lines matching" (Python)
  /^\s*-{3,}\s*$/,
  /^npm (notice|warn)\b/i, // npx's update notices and deprecation warnings, printed after the server's error
];

/** The last `count` meaningful lines of `stderr` (oldest first), each cut to `width` characters. */
export function stderrExcerpt(stderr: string, count = 3, width = 300): string[] {
  const lines = stderr.replace(/\r\n?/g, "\n").split("\n");
  const kept: string[] = [];
  for (let i = lines.length - 1; i >= 0 && kept.length < count; i--) {
    const line = lines[i] ?? "";
    if (line.trim() === "" || NOISE.some((pattern) => pattern.test(line))) continue;
    // The source line a Python frame or Node's "file:line" header echoes, just below it.
    const above = lines[i - 1] ?? "";
    if (/^\s/.test(line) && (/^\s+File ".*", line \d+/.test(above) || /^\S+:\d+(:\d+)?$/.test(above))) continue;
    const trimmed = line.trim();
    kept.push(trimmed.length > width ? `${trimmed.slice(0, width - 1)}…` : trimmed);
  }
  return kept.reverse();
}
