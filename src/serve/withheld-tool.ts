import type { Gateway } from "../gateway/index.ts";
import { prefixedName, type Target } from "./names.ts";

/**
 * The provider and tool behind an exposed name that is withheld by pinning (`pinning: block`): it is not
 * listed, but a client that knew the name is told why its call is refused (`denied`, naming `hangar pin`)
 * rather than that the tool does not exist. Undefined when no withheld tool has that name.
 */
export function withheldTool(gateway: Gateway, name: string): Target | undefined {
  for (const change of gateway.pins?.changes() ?? []) {
    if (!change.withheld || change.kind !== "tool") continue;
    const config = gateway.handles.get(change.provider)?.config;
    if (config === undefined || !config.expose) continue;
    const shown = config.prefix ? prefixedName(change.provider, change.name) : change.name;
    if (shown === name) return { providerId: change.provider, name: change.name };
  }
  return undefined;
}
