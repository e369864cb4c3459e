/** The shared daemon of `hangar serve --shared`, the stdio bridge to it, and what finds and stops it. */
export { attachToDaemon } from "./attach.ts";
export { runBridge } from "./bridge.ts";
export { runDaemon } from "./daemon.ts";
export { daemonKey, variablesUsed } from "./daemon-key.ts";
export type { DaemonStatus } from "./daemon-status.ts";
export { type DaemonEntry, listDaemons, stopDaemon } from "./daemons.ts";
export { type DaemonFiles, daemonFiles, ensureRunDir, runDir } from "./run-dir.ts";
export { sharedSetup } from "./shared-setup.ts";
