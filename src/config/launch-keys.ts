/**
 * Which launch keys go together: a provider has exactly one of `command`, `image` or `url`, and the keys
 * that only make sense for one of them (`network` for `image`, `headers` for `url`, …) appear only there.
 * Checked on the raw map, so these problems are reported along with every other one.
 */
import { isRecord } from "./schema.ts";

/** A launch-key problem inside one entry; `key` is where it is (undefined = the entry itself). */
export interface LaunchProblem {
  readonly key: string | undefined;
  readonly message: string;
}

const KINDS = ["command", "image", "url"] as const;
type Kind = (typeof KINDS)[number];

/** Which kinds each kind-specific key belongs to. */
const KEY_KINDS: Readonly<Record<string, readonly Kind[]>> = {
  args: ["command", "image"],
  env: ["command", "image"],
  env_inherit: ["command", "image"],
  cwd: ["command"],
  network: ["image"],
  volumes: ["image"],
  headers: ["url"],
  transport: ["url"],
  auth: ["url"],
};

const names = (kinds: readonly string[]): string => kinds.map((kind) => `\`${kind}\``).join(" or ");

/** The launch-key problems of one `providers` entry. */
export function providerLaunchProblems(entry: unknown): LaunchProblem[] {
  if (!isRecord(entry)) return [];
  const kinds = KINDS.filter((kind) => kind in entry);
  const [kind, second] = kinds;
  if (kind === undefined) {
    const message =
      "needs exactly one of `command` (a program to run), `image` (a docker image) or `url` (a remote server)";
    return [{ key: undefined, message }];
  }
  if (second !== undefined) {
    const message = `cannot be combined with \`${kind}\`; a provider has exactly one of \`command\`, \`image\` or \`url\``;
    return [{ key: second, message }];
  }
  const problems: LaunchProblem[] = [];
  for (const [key, allowed] of Object.entries(KEY_KINDS)) {
    if (key in entry && !allowed.includes(kind)) {
      problems.push({ key, message: `only applies to providers with ${names(allowed)}, not \`${kind}\`` });
    }
  }
  if (kind === "command" && Array.isArray(entry.command) && "args" in entry) {
    const message = "is only allowed when `command` is a single string; put the arguments in the `command` list";
    problems.push({ key: "args", message });
  }
  return problems;
}

/** The launch-key problems of one `mcpServers` entry (`command` or `url`, and a `type` that agrees). */
export function mcpServerLaunchProblems(entry: unknown): LaunchProblem[] {
  if (!isRecord(entry)) return [];
  const hasCommand = "command" in entry;
  const hasUrl = "url" in entry;
  if (!hasCommand && !hasUrl) {
    return [{ key: undefined, message: "needs `command` (a program to run) or `url` (a remote server)" }];
  }
  if (hasCommand && hasUrl) {
    return [{ key: "url", message: "cannot be combined with `command`; an entry has either `command` or `url`" }];
  }
  const problems: LaunchProblem[] = [];
  const type = entry.type;
  if (hasCommand && typeof type === "string" && type !== "stdio") {
    problems.push({
      key: "type",
      message: "says a remote server, but the entry has `command`; use `stdio` or drop it",
    });
  }
  if (hasUrl && type === "stdio") {
    problems.push({ key: "type", message: "`stdio` needs `command`, but the entry has `url`" });
  }
  const wrongSide = hasCommand ? ["headers"] : ["args", "env", "cwd"];
  for (const key of wrongSide.filter((key) => key in entry)) {
    problems.push({ key, message: `only applies to entries with ${hasCommand ? "`url`" : "`command`"}` });
  }
  return problems;
}
