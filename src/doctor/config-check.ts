/**
 * Doctor's config checks: where the config was found (or that the demo providers are used), that it
 * reads and parses (each problem with file:line:col), and warnings for risky values.
 */
import { readFile } from "node:fs/promises";
import YAML from "yaml";
import {
  demoConfig,
  type Env,
  type FoundConfigFile,
  findConfigFile,
  parseConfigText,
  type ResolvedConfig,
} from "../config/index.ts";
import { ConfigError, messageOf } from "../errors.ts";
import { type Check, check } from "./check.ts";
import { riskyValues, writtenSettings } from "./risky-values.ts";

/** Where to look for the config; the same inputs as `loadConfig`. */
export interface ConfigCheckOptions {
  readonly path?: string;
  readonly env: Env;
  readonly cwd: string;
  readonly home: string;
  readonly selfCommand: readonly string[];
}

/** The config checks, and the resolved config when it can be used to check providers. */
export interface ConfigCheckResult {
  readonly checks: Check[];
  readonly config: ResolvedConfig | undefined;
  readonly found: FoundConfigFile | undefined;
}

const VIA: Record<FoundConfigFile["via"], string> = {
  "--config": "given with --config",
  $HANGAR_CONFIG: "named by $HANGAR_CONFIG",
  cwd: "in the working directory",
  home: "in ~/.hangar",
};

/** Finds, reads and parses the config; a broken config is a failed check, never an exception. */
export async function checkConfig(options: ConfigCheckOptions): Promise<ConfigCheckResult> {
  const item = (name: string, status: Check["status"], message: string, extra: Parameters<typeof check>[5] = {}) =>
    check("config", "config", name, status, message, extra);
  let found: FoundConfigFile | undefined;
  try {
    found = await findConfigFile({
      ...(options.path === undefined ? {} : { path: options.path }),
      env: options.env,
      cwd: options.cwd,
      home: options.home,
    });
  } catch (error) {
    const fix = "check the path given with --config or $HANGAR_CONFIG, or run `hangar init` to write a config";
    return { checks: [item("found", "fail", messageOf(error), { fix })], config: undefined, found: undefined };
  }
  if (found === undefined) {
    const message =
      "No config found (looked for $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml); checking the built-in demo providers";
    const checks = [item("found", "info", message, { fix: "run `hangar init` to write a starter config" })];
    return { checks, config: demoConfig(options.selfCommand), found };
  }
  const checks = [item("found", "ok", `${found.path} (${VIA[found.via]})`)];
  let text: string;
  try {
    text = await readFile(found.path, "utf8");
  } catch (error) {
    checks.push(
      item("reads", "fail", `Cannot read ${found.path}: ${messageOf(error)}`, { fix: "check the file's permissions" }),
    );
    return { checks, config: undefined, found };
  }
  try {
    const config = parseConfigText(text, found.path, options.env, options.home);
    const count = config.providers.length;
    checks.push(
      item(
        "parses",
        count === 0 ? "warn" : "ok",
        `valid, ${count} provider${count === 1 ? "" : "s"}`,
        count === 0 ? { fix: "add a provider under `providers:` (see `hangar init`)" } : {},
      ),
    );
    checks.push(...riskyValues(config, writtenSettings(parsedData(text))));
    return { checks, config, found };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [summary = "", ...problems] = error.message.split("\n");
    const detail = problems.map((line) => line.trim()).join("\n");
    checks.push(item("parses", "fail", summary.replace(/:$/, ""), { fix: configFix(error.message), detail }));
    return { checks, config: undefined, found };
  }
}

/** The config file's data as written (no `${VAR}` replaced, no defaults filled in); {} if it cannot be read. */
function parsedData(text: string): unknown {
  try {
    return YAML.parse(text);
  } catch {
    return {};
  }
}

/** The fix for a config that does not parse: the unset variables to export, or the places to edit. */
function configFix(message: string): string {
  const unset = [...message.matchAll(/uses \$\{([A-Za-z_][A-Za-z0-9_]*)\}, which is not set/g)].map((m) => m[1]!);
  const names = [...new Set(unset)];
  const edit = "fix each problem at the file:line:col shown";
  if (names.length === 0) return edit;
  const exports = names.map((name) => `export ${name}=…`).join("; ");
  const others = message.split("\n").length - 1 > unset.length ? `, and ${edit}` : "";
  const defaults = names.map((name) => `\${${name}:-default}`).join(", ");
  return `set ${names.map((name) => `$${name}`).join(", ")} in the environment hangar runs in (${exports}), or write ${defaults}${others}`;
}
