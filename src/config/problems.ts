/**
 * Config problems: one mistake each, with where it is (file:line:col and key path) and what was expected.
 * All problems of a file are collected and thrown together as one `ConfigError`. A problem's text never
 * contains a value from the file: values may be secrets (tokens in `env`, `headers` or a URL's query).
 */
import { ConfigError } from "../errors.ts";

/** A path into the config file, like `["providers", 1, "idle_ttl_s"]`. */
export type KeyPath = readonly (string | number)[];

/** A 1-based line and column in the config file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** One mistake in a config file. */
export interface Problem {
  readonly path: KeyPath;
  /** Where the mistake is; undefined when the file has no such place (a missing top-level key). */
  readonly position: Position | undefined;
  /** What is wrong, without any value from the file, e.g. "expected a number ≥ 0, got a string". */
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The path as users write it: `providers[1].env.GITHUB_TOKEN`, `mcpServers["my server"].url`. */
export function formatPath(path: KeyPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === "" ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** One problem as one line: `hangar.yaml:7:22: providers[0].idle_ttl_s expected a number ≥ 0`. */
export function formatProblem(fileName: string, problem: Problem): string {
  const where = problem.position ? `${fileName}:${problem.position.line}:${problem.position.col}` : fileName;
  return problem.path.length === 0
    ? `${where}: ${problem.message}`
    : `${where}: ${formatPath(problem.path)} ${problem.message}`;
}

/** A `ConfigError` listing every problem, after a one-sentence summary line ("Invalid config … (2 problems):"). */
export function problemsError(fileName: string, problems: readonly Problem[], what = "config"): ConfigError {
  const sorted = [...problems].sort(
    (a, b) => (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0),
  );
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = sorted.map((problem) => `  ${formatProblem(fileName, problem)}`);
  return new ConfigError([`Invalid ${what} ${fileName} (${count}):`, ...lines].join("\n"));
}

/** The kind of a value, for "got a …" (never the value itself). */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "boolean") return "true/false";
  if (typeof value === "number") return Number.isInteger(value) ? "a whole number" : "a number";
  return `a ${typeof value}`;
}

/** The known key closest to `key` (edit distance ≤ 3, and less than the key's length), if any. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.min(3, key.length - 1) ? best : undefined;
}

/** Edit distance between two strings (insertions, deletions and substitutions cost 1). */
function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
