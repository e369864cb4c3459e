import { hangarTools } from "../serve/hangar-tools.ts";

/** A tool an agent can be given: its name, what it does, and its JSON Schema. */
export interface ToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
}

/**
 * `hangar_call` as MCP clients see it (the same name, description and JSON Schema), for adapters that
 * give an agent the parallel batch as one tool.
 */
export function batchToolDefinition(): ToolDefinition {
  const tool = hangarTools().find((t) => t.name === "hangar_call");
  if (!tool?.description) throw new Error("hangar_call is missing from Hangar's own tools");
  return { name: tool.name, description: tool.description, inputSchema: tool.inputSchema };
}
