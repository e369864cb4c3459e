/**
 * From config text to `ResolvedConfig`, with no file system access: parse (YAML or JSON), keep the part
 * hangar reads, fill in `${VAR}`, validate, resolve. All problems are thrown together as one ConfigError.
 */

import { homedir } from "node:os";
import * as nodePath from "node:path";
import { envInheritProblems, envRoutes, type VarUse } from "./env-inherit.ts";
import { type Env, interpolate } from "./interpolate.ts";
import { formatPath, type Problem, problemsError } from "./problems.ts";
import { resolveConfig } from "./resolve.ts";
import { relevantPart } from "./schema.ts";
import type { ResolvedConfig } from "./types.ts";
import { validateFile } from "./validate.ts";
import type { YamlMemo } from "./yaml-memo.ts";
import { parseYamlTree } from "./yaml-tree.ts";

/**
 * Parses and resolves the config in `text`. `fileName` is used in error messages and as `source.path`
 * (the loader passes an absolute path); relative `cwd` values are taken relative to its directory.
 * `home` (for `~`) defaults to `env.HOME`, then the OS's idea of it. With a `yamlMemo`, a text read before
 * is parsed by Bun's native YAML parser where it reads it as the yaml library does (see `parseYamlTree`).
 */
export function parseConfigText(
  text: string,
  fileName: string,
  env: Env = process.env,
  home: string = env.HOME ?? homedir(),
  yamlMemo?: YamlMemo,
): ResolvedConfig {
  const tree = parseYamlTree(text, fileName, yamlMemo);
  const problems: Problem[] = [];
  const uses: VarUse[] = [];
  const data = interpolate(relevantPart(tree.data), env, tree, problems, uses);
  const validated = validateFile(data, tree);
  // A value left with an unset `${VAR}` in it is reported once, for the variable, not again for its shape.
  const unset = new Set(problems.map((problem) => formatPath(problem.path)));
  problems.push(...validated.problems.filter((problem) => !unset.has(formatPath(problem.path))));
  const routes = envRoutes(data, uses);
  if ("file" in validated) problems.push(...envInheritProblems(validated.file, routes, tree));
  if (problems.length > 0 || !("file" in validated)) throw problemsError(fileName, problems);
  return resolveConfig(validated.file, {
    source: { kind: "file", path: fileName },
    home,
    baseDir: nodePath.dirname(fileName),
    envRoutes: routes,
  });
}
