/**
 * The client side of the shared daemon: what `hangar serve --shared`, `hangar status` and `hangar stop`
 * need, and nothing of the MCP front or the gateway, so the bridge starts in a few milliseconds (the
 * daemon side is in index.ts).
 */
export { attachToDaemon } from "./attach.ts";
export { runBridge } from "./bridge.ts";
export type { DaemonStatus } from "./daemon-status.ts";
export { type DaemonEntry, listDaemons, stopDaemon } from "./daemons.ts";
export { type DaemonFiles, runDir } from "./run-dir.ts";
export { type SharedGlobals, type SharedSetup, sharedSetup } from "./shared-setup.ts";
