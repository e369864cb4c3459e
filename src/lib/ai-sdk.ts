/**
 * Hangar's tools for the Vercel AI SDK (`ai` ≥ 5): each exposed provider tool as an AI SDK tool with its
 * JSON Schema, and `hangar_call` as one more tool that runs a parallel batch. The AI SDK's abort signal
 * cancels the call, and the provider is told.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from "ai";
 * import { Hangar } from "hangar";
 * import { hangarTools } from "hangar/ai-sdk";
 * await using hangar = await Hangar.open({ config: "hangar.yaml" });
 * const { text } = await generateText({ model, tools: await hangarTools(hangar), stopWhen: stepCountIs(5), prompt });
 * ```
 */
import { jsonSchema, type ToolSet, tool } from "ai";
import { type AgentToolsOptions, agentTools } from "./agent-tools.ts";
import { batchToolDefinition } from "./batch-tool.ts";
import type { Hangar } from "./hangar.ts";
import type { BatchInput, BatchResult, ToolAnswer } from "./types.ts";

export type { AgentToolsOptions } from "./agent-tools.ts";

/** The schema type `jsonSchema` takes (the AI SDK's JSONSchema7). */
type Schema = Parameters<typeof jsonSchema>[0];

/**
 * The AI SDK tools of `hangar`, keyed by name. A provider tool resolves with the provider's answer (an
 * `isError` answer too: the model sees the tool's own failure); a call with no answer (timeout,
 * unavailable provider, unknown tool…) throws a `CallError`, which the AI SDK reports to the model.
 */
export async function hangarTools(hangar: Hangar, options: AgentToolsOptions = {}): Promise<ToolSet> {
  const tools: ToolSet = {};
  for (const found of await agentTools(hangar, options)) {
    tools[found.exposed_as] = tool({
      ...(found.description === undefined ? {} : { description: found.description }),
      inputSchema: jsonSchema<Record<string, unknown>>(found.inputSchema as Schema),
      execute: (input, { abortSignal }): Promise<ToolAnswer> =>
        hangar.callTool(found.provider, found.name, input ?? {}, abortSignal ? { signal: abortSignal } : {}),
    });
  }
  if (options.batch ?? true) {
    const batch = batchToolDefinition();
    tools[batch.name] = tool({
      description: batch.description,
      inputSchema: jsonSchema<BatchInput>(batch.inputSchema as Schema),
      execute: (input, { abortSignal }): Promise<BatchResult> =>
        hangar.call(input, abortSignal ? { signal: abortSignal } : {}),
    });
  }
  return tools;
}
