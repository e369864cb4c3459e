/** True for a plain map (not a list, not null). Apart from schema.ts, so reading the demo config needs no zod. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
