// Not from config/index.ts: `hangar call` starts providers before it loads the config parser (zod, yaml).
import { HANGAR_SECRETS } from "../config/env-inherit.ts";
import type { EnvPolicy } from "../config/index.ts";

/**
 * The whole environment of a provider's process (a stdio server, or the `docker` client): hangar's own
 * `base` less its secrets and the variables the config hands to other providers, narrowed by
 * `env_inherit`, then the provider's own `env` on top (see src/config/env-inherit.ts for the rule).
 */
export function childEnv(
  base: Readonly<Record<string, string | undefined>>,
  transport: EnvPolicy & { readonly env: Readonly<Record<string, string>> },
): Record<string, string> {
  const inherit = transport.envInherit ?? "all";
  const withheld = new Set([...HANGAR_SECRETS, ...(transport.envWithheld ?? [])]);
  const inherited = Object.entries(base).filter(
    (entry): entry is [string, string] =>
      entry[1] !== undefined &&
      !withheld.has(entry[0]) &&
      (inherit === "all" || (inherit !== "none" && inherit.includes(entry[0]))),
  );
  return { ...Object.fromEntries(inherited), ...transport.env };
}
