import { diffOf, type Pins } from "../pinning/index.ts";
import { type Check, check } from "./check.ts";

/**
 * Doctor's pinning check of one started provider: whether what it lists is what the lock file pins
 * (doctor never records or approves anything). Undefined when pinning is off.
 */
export function checkPins(providerId: string, pins: Pins | undefined): Check | undefined {
  if (pins === undefined) return undefined;
  const lock = pins.lockPath ?? "memory";
  if (!pins.recorded(providerId))
    return check(
      "provider",
      providerId,
      "pins",
      "info",
      `not pinned yet: its tool definitions are recorded in ${lock} when hangar first lists it (serve, call or pin)`,
    );
  const changes = pins.changes(providerId);
  if (changes.length === 0) return check("provider", providerId, "pins", "ok", `its definitions match ${lock}`);
  const named = changes.map((c) => {
    const what = c.change === "added" ? "new" : diffOf(c).fields.join(", ");
    return `${c.kind} ${c.name} (${what})`;
  });
  const outcome = pins.mode === "block" ? "withheld from clients until approved" : "served anyway (pinning: warn)";
  return check(
    "provider",
    providerId,
    "pins",
    "warn",
    `${changes.length} definition${changes.length === 1 ? "" : "s"} changed since pinned in ${lock}, ${outcome}: ${named.join("; ")}`,
    {
      fix: `review the diffs with \`hangar pin\`, then approve them with \`hangar pin --all\` or \`hangar pin ${providerId}/<tool>\``,
      detail: changes.map((c) => `${c.kind} ${c.name}:\n${diffOf(c).text}`).join("\n"),
    },
  );
}
