/** `hangar doctor`'s checks: config, providers (preflight, start, tools, ping) and MCP clients. */
export type { Check, CheckSection, CheckStatus, DoctorReport } from "./check.ts";
export { type DoctorOptions, runDoctor } from "./run-doctor.ts";
