/**
 * `${VAR}` and `${VAR:-default}` in string values (never in keys), filled from an environment object.
 *
 * - `${VAR}`: the value of VAR; VAR unset is a problem naming the variable and where it is used.
 *   An empty VAR is used as it is (empty).
 * - `${VAR:-default}`: VAR when it is set and not empty, else `default` (as in a POSIX shell).
 * - `$${`: a literal `${` (so `$${VAR}` yields the text `${VAR}`). A `$` anywhere else is just a `$`.
 * - Any other `${` (no closing brace, a name that is not `[A-Za-z_][A-Za-z0-9_]*`) is a problem.
 */
import type { VarUse } from "./env-inherit.ts";
import type { KeyPath, Problem } from "./problems.ts";
import type { YamlTree } from "./yaml-tree.ts";

/** The environment variables are read from (`process.env` by default). */
export type Env = Readonly<Record<string, string | undefined>>;

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

/**
 * A copy of `data` with every string value interpolated; problems are added to `problems`, and every
 * `${VAR}` (set or not, with a default or not) to `uses`, with the path of the value it is in.
 */
export function interpolate(
  data: unknown,
  env: Env,
  tree: YamlTree,
  problems: Problem[],
  uses: VarUse[] = [],
): unknown {
  return walk(data, [], { env, tree, problems, uses });
}

interface Walk {
  readonly env: Env;
  readonly tree: YamlTree;
  readonly problems: Problem[];
  readonly uses: VarUse[];
}

function walk(value: unknown, path: KeyPath, context: Walk): unknown {
  if (typeof value === "string") return interpolateString(value, path, context);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], context));
  if (value !== null && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const copied = walk(item, [...path, key], context);
      Object.defineProperty(result, key, { value: copied, enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  return value;
}

function interpolateString(text: string, path: KeyPath, { env, tree, problems, uses }: Walk): string {
  if (!text.includes("${")) return text;
  const seen = new Map<string, number>();
  return text.replace(PATTERN, (match: string, name: string | undefined, fallback: string | undefined) => {
    const occurrence = seen.get(match) ?? 0;
    seen.set(match, occurrence + 1);
    if (match === "$${") return "${";
    // Looked up only for a problem: finding a position may parse the text again (see `parseYamlTree`).
    const position = () => tree.textAt(path, match, occurrence);
    if (name === undefined) {
      const message = "has a `${` that is not `${NAME}` or `${NAME:-default}`; write `$${` for a literal `${`";
      problems.push({ path, position: position(), message });
      return match;
    }
    uses.push({ name, path });
    // Only the environment's own variables: `${constructor}` must not read the prototype.
    const value = Object.hasOwn(env, name) ? env[name] : undefined;
    if (fallback !== undefined) return value === undefined || value === "" ? fallback : value;
    if (value !== undefined) return value;
    const message = `uses \${${name}}, which is not set; set it or write \${${name}:-default}`;
    problems.push({ path, position: position(), message });
    return match;
  });
}
