/**
 * Arguments for a tool that bench may call, taken only from what its inputSchema says is acceptable:
 * `default`, `examples`, `const`, the first `enum` value, or `false` for a boolean. Bench never invents a
 * path, a query or an id; a tool whose required arguments have no such value needs `--args`.
 */
import type { Tool } from "@modelcontextprotocol/client";

type Schema = Record<string, unknown>;

/** A safe value for one property, or undefined when its schema offers none. */
function valueFor(schema: Schema): { value: unknown } | undefined {
  if ("default" in schema) return { value: schema.default };
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return { value: schema.examples[0] };
  if ("const" in schema) return { value: schema.const };
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return { value: schema.enum[0] };
  if (schema.type === "boolean") return { value: false };
  return undefined;
}

/** Arguments for `tool` with every required property filled, or undefined when one cannot be. */
export function sampleArguments(tool: Tool): Record<string, unknown> | undefined {
  const schema = tool.inputSchema as Schema;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const args: Record<string, unknown> = {};
  for (const name of required) {
    const found = valueFor(properties[name] ?? {});
    if (found === undefined) return undefined;
    args[name] = found.value;
  }
  return args;
}

/** How many required arguments a tool has (fewer is preferred when bench picks a tool). */
export function requiredCount(tool: Tool): number {
  const required = (tool.inputSchema as Schema).required;
  return Array.isArray(required) ? required.length : 0;
}

/** True when the tool says it only reads (`readOnlyHint: true`). */
export function isReadOnly(tool: Tool): boolean {
  return tool.annotations?.readOnlyHint === true;
}
