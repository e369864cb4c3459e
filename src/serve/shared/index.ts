/** The shared daemon of `hangar serve --shared`; its clients' side (bridge, status, stop) is client.ts. */
export * from "./client.ts";
export { runDaemon } from "./daemon.ts";
export { daemonKey, variablesUsed } from "./daemon-key.ts";
export { daemonFiles, ensureRunDir } from "./run-dir.ts";
