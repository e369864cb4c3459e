/**
 * Checks interpolated file data against the schema and the rules zod cannot express (launch keys, unique
 * ids), turning every mistake into a `Problem` with its position. Messages never include values.
 */
import type { z } from "zod";
import { type LaunchProblem, mcpServerLaunchProblems, providerLaunchProblems } from "./launch-keys.ts";
import { closestKey, formatPath, type KeyPath, kindOf, type Problem } from "./problems.ts";
import {
  type ConfigFile,
  fileSchema,
  ID_SHADOW_MESSAGE,
  idFromName,
  idMayShadow,
  isRecord,
  knownKeysAt,
  MAX_DURATION_S,
  PROVIDER_ID,
} from "./schema.ts";
import type { YamlTree } from "./yaml-tree.ts";

/** A validated file, or the problems that stop it from being one. */
export type Validated = { file: ConfigFile; problems: [] } | { problems: Problem[] };

/** The validated file, or the problems that stop it from being one. */
export function validateFile(data: unknown, tree: YamlTree): Validated {
  if (!isRecord(data)) {
    const message = `expected a map of settings at the top level, got ${kindOf(data)}`;
    return { problems: [{ path: [], position: tree.valueAt([]), message }] };
  }
  const problems: Problem[] = [];
  // jitless: a config is checked once per load, so zod's compiled fast path costs more (~3 ms) than it saves.
  const result = fileSchema.safeParse(data, { jitless: true });
  if (!result.success) for (const issue of result.error.issues) problems.push(...issueProblems(issue, data, tree));
  const providers = Array.isArray(data.providers) ? data.providers : [];
  providers.forEach((entry, i) => {
    problems.push(...located(providerLaunchProblems(entry), ["providers", i], tree));
  });
  const servers = isRecord(data.mcpServers) ? data.mcpServers : {};
  for (const [name, entry] of Object.entries(servers)) {
    problems.push(...located(mcpServerLaunchProblems(entry), ["mcpServers", name], tree));
  }
  problems.push(...idProblems(providers, Object.keys(servers), tree));
  if (problems.length > 0 || !result.success) return { problems };
  return { file: result.data, problems: [] };
}

function located(problems: LaunchProblem[], base: KeyPath, tree: YamlTree): Problem[] {
  return problems.map(({ key, message }) => {
    const path = key === undefined ? base : [...base, key];
    return { path, position: key === undefined ? tree.valueAt(path) : tree.keyAt(path), message };
  });
}

function idProblems(providers: unknown[], serverNames: string[], tree: YamlTree): Problem[] {
  const problems: Problem[] = [];
  const firstUse = new Map<string, KeyPath>();
  // Positions are looked up only for a repeat: finding one may parse the text again (see `parseYamlTree`).
  const use = (id: string, path: KeyPath, position: () => Problem["position"]) => {
    const first = firstUse.get(id);
    if (first === undefined) firstUse.set(id, path);
    else {
      const where = tree.keyAt(first);
      const line = where ? ` (line ${where.line})` : "";
      const message = `repeats the id of ${formatPath(first)}${line}; ids must be unique across \`providers\` and \`mcpServers\``;
      problems.push({ path, position: position(), message });
    }
  };
  providers.forEach((entry, i) => {
    const id = isRecord(entry) ? entry.id : undefined;
    if (typeof id === "string") use(id, ["providers", i, "id"], () => tree.valueAt(["providers", i, "id"]));
  });
  for (const name of serverNames) {
    const path = ["mcpServers", name];
    if (PROVIDER_ID.test(name) && idMayShadow(name)) {
      problems.push({
        path,
        position: tree.keyAt(path),
        message: `has a name that becomes the id, which ${ID_SHADOW_MESSAGE}`,
      });
    } else if (PROVIDER_ID.test(name)) use(name, path, () => tree.keyAt(path));
    else {
      const message =
        "has a name that cannot be a provider id: an `mcpServers` name becomes the id, which must be 1–32 letters, digits, `_` or `-`; " +
        `rename it (e.g. \`${idFromName(name)}\`), or let \`hangar init --import\` write a config with such names renamed`;
      problems.push({ path, position: tree.keyAt(path), message });
    }
  }
  return problems;
}

function issueProblems(issue: z.core.$ZodIssue, data: unknown, tree: YamlTree): Problem[] {
  const path = issue.path.filter((segment) => typeof segment !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(path) ?? [];
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      return { path: keyPath, position: tree.keyAt(keyPath), message: unknownKeyMessage(path, key, known) };
    });
  }
  const value = valueAt(data, path);
  return [{ path, position: tree.valueAt(path), message: issueMessage(issue, value) }];
}

/** Provider keys that `defaults` cannot hold: they say what a provider is, not how it is run. */
const PER_PROVIDER_ONLY = [
  ...["id", "description", "command", "args", "env", "env_inherit", "cwd"],
  ...["image", "network", "volumes", "url", "headers", "transport", "auth"],
];

function unknownKeyMessage(path: KeyPath, key: string, known: readonly string[]): string {
  if (path.length === 1 && path[0] === "defaults" && PER_PROVIDER_ONLY.includes(key)) {
    return "cannot be in `defaults`: it belongs to one provider; set it on each provider instead";
  }
  const suggestion = closestKey(key, known);
  if (suggestion !== undefined) return `is not a known key; did you mean \`${suggestion}\`?`;
  if (known.length > 0 && known.length <= 6)
    return `is not a known key; expected one of ${known.map((k) => `\`${k}\``).join(", ")}`;
  return "is not a known key";
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a map",
  record: "a map",
};

function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      // YAML's `.inf`, `-.inf` and `.nan` are numbers, but not ones any setting can take.
      if (typeof value === "number" && !Number.isFinite(value))
        return `expected a finite number, got ${Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf"}`;
      return value === undefined ? `is required (expected ${expected})` : `expected ${expected}, got ${kindOf(value)}`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const sign = issue.code === "too_small" ? (issue.inclusive ? "≥" : ">") : issue.inclusive ? "≤" : "<";
      const small = issue.code === "too_small";
      if (issue.origin === "array") return small ? "expected a non-empty list" : `expected at most ${bound} items`;
      if (issue.origin === "string")
        return small ? "expected a non-empty string" : `expected at most ${bound} characters`;
      if (!small && bound === MAX_DURATION_S)
        return `expected at most ${MAX_DURATION_S} seconds (about 24.8 days, the longest a timer can wait)`;
      return `expected a number ${sign} ${bound}`;
    }
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => `\`${String(v)}\``).join(", ")}`;
    default:
      // Our own messages (formats, refinements, unions); none of them quotes the value.
      return issue.message;
  }
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let current = data;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === "number") current = current[segment];
    else if (isRecord(current) && typeof segment === "string" && Object.hasOwn(current, segment))
      current = current[segment];
    else return undefined;
  }
  return current;
}
