// What the fast-route tests share (issues 11, 18): the providers they run and how they tell which path
// answered a call.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hangarBinary, type Sandbox } from "./e2e.ts";
import { fixture } from "./paths.ts";

/** The line `HANGAR_LOG_LEVEL=trace` logs for each call the fast route answers (src/serve/fast-route.ts). */
export const FAST_ROUTE_LINE = "fast route: answering without the SDK server";

/**
 * How many calls the fast route answered, by its trace lines in `log`. Each is logged before its call
 * runs but may reach the log after the answer, so tests wait for the count they expect, then check it.
 */
export const fastLines = (log: string): number =>
  log.split("\n").filter((line) => line.includes(FAST_ROUTE_LINE)).length;

/** A YAML provider entry (JSON is YAML). */
export const providerEntry = (id: string, command: string | readonly string[], extra: Record<string, unknown> = {}) =>
  `  - ${JSON.stringify({ id, command, ...extra })}\n`;

/** A config of the demo provider `demo`, the probe fixture `probe` (logging to probe.log), then `more` entries. */
export function fastRouteConfig(box: Sandbox, more: string): void {
  box.write(
    "hangar.yaml",
    `providers:\n${providerEntry("demo", [hangarBinary(), "demo-provider", "--name", "demo"])}${providerEntry(
      "probe",
      fixture("probe-server.ts"),
      { env: { PROBE_LOG: join(box.root, "probe.log") } },
    )}${more}`,
  );
}

/** What the probe provider logged so far ("" before it wrote anything). */
export function probeLog(box: Sandbox): string {
  try {
    return readFileSync(join(box.root, "probe.log"), "utf8");
  } catch {
    return "";
  }
}
