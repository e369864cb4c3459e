/**
 * Which of hangar's environment variables a provider's process inherits (a stdio provider, or the
 * `docker` client of an image provider):
 *
 * 1. never hangar's own secrets (`HANGAR_SECRETS`);
 * 2. never a variable the config hands to another provider (`${VAR}` anywhere in that provider's entry:
 *    `env`, `headers`, `args`, `url`, …), unless it is a system variable every program needs
 *    (`isSystemVariable`: PATH, HOME, LANG, LC_*, …);
 * 3. of the rest, what the provider's `env_inherit` allows: `all` (the default), `none`, or a list of
 *    names;
 * 4. and then its own `env`, always, whatever the above says.
 *
 * Everything else is inherited as it always was, so servers that read their own variables, and
 * `npx` / `uvx`, keep working.
 */
import { ENV } from "../knobs.ts";
import { isRecord } from "./is-record.ts";
import type { KeyPath, Problem } from "./problems.ts";
import type { ConfigFile } from "./schema.ts";
import type { YamlTree } from "./yaml-tree.ts";

/** A provider's `env_inherit`: `all` of hangar's variables (less the two rules above), `none`, or these names. */
export type EnvInherit = "all" | "none" | readonly string[];

/** Hangar's own secrets: the HTTP bearer token (and the files of it and of the session key), the OTLP exporter's headers. Never inherited. */
export const HANGAR_SECRETS: readonly string[] = [
  ENV.token,
  ENV.tokenFile,
  ENV.sessionKeyFile,
  ENV.oauthClientSecret,
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
  "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
  "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
];

const SYSTEM_NAMES = new Set([
  ...["PATH", "HOME", "USER", "LOGNAME", "SHELL", "PWD"],
  ...["TMPDIR", "TMP", "TEMP", "TZ", "TERM", "LANG", "LANGUAGE"],
]);

/** Variables every program may need (PATH, HOME, USER, LANG, LC_*, TZ, TMPDIR, XDG_*…): never withheld for being used in a provider's entry. */
export function isSystemVariable(name: string): boolean {
  return SYSTEM_NAMES.has(name) || name.startsWith("LC_") || name.startsWith("XDG_");
}

/** One `${VAR}` (or `${VAR:-default}`) in the config, and the value it is in. */
export interface VarUse {
  readonly name: string;
  readonly path: KeyPath;
}

/** For each variable the config hands to providers (system variables left out), the ids of those providers. */
export type EnvRoutes = ReadonlyMap<string, ReadonlySet<string>>;

/** Which providers each `${VAR}` is handed to: the providers (or `mcpServers` entries) whose entry uses it. */
export function envRoutes(data: unknown, uses: readonly VarUse[]): EnvRoutes {
  const routes = new Map<string, Set<string>>();
  const providers = isRecord(data) && Array.isArray(data.providers) ? data.providers : [];
  for (const { name, path } of uses) {
    if (isSystemVariable(name)) continue;
    const [section, key] = path;
    const entry = section === "providers" && typeof key === "number" ? providers[key] : undefined;
    const id = section === "mcpServers" ? key : isRecord(entry) ? entry.id : undefined;
    if (typeof id !== "string") continue;
    const ids = routes.get(name) ?? new Set<string>();
    ids.add(id);
    routes.set(name, ids);
  }
  return routes;
}

/** The variables handed to providers other than `id`: never inherited by `id`. */
export function withheldFrom(id: string, routes: EnvRoutes): string[] {
  return [...routes]
    .filter(([, ids]) => !ids.has(id))
    .map(([name]) => name)
    .sort();
}

/** An `env_inherit` list that names a variable it can never inherit: a secret of hangar's, or another provider's. */
export function envInheritProblems(file: ConfigFile, routes: EnvRoutes, tree: YamlTree): Problem[] {
  const problems: Problem[] = [];
  (file.providers ?? []).forEach((entry, i) => {
    const list = entry.env_inherit;
    if (!Array.isArray(list)) return;
    list.forEach((name, j) => {
      const path = ["providers", i, "env_inherit", j];
      const pass = `pass it with \`env: { ${name}: "\${${name}}" }\` if this provider needs it`;
      const owners = routes.get(name);
      let message: string | undefined;
      if (HANGAR_SECRETS.includes(name))
        message = `names ${name}, one of hangar's own secrets, never inherited; ${pass}`;
      else if (owners !== undefined && !owners.has(entry.id)) {
        const them = [...owners].map((owner) => `"${owner}"`).join(", ");
        message = `names ${name}, which the config hands to ${them} (\`\${${name}}\`), so no other provider inherits it; ${pass}`;
      }
      if (message !== undefined) problems.push({ path, position: tree.valueAt(path), message });
    });
  });
  return problems;
}
