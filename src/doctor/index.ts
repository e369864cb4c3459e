/** `hangar doctor`'s checks: config, providers (preflight, start, tools, ping) and MCP clients. */
export type { Check, CheckSection, CheckStatus, DoctorReport } from "./check.ts";
export { runDoctor, type DoctorOptions } from "./run-doctor.ts";
