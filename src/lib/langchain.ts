/**
 * Hangar's tools for LangChain (`@langchain/core` ≥ 0.3, LangGraph agents included): each exposed
 * provider tool as a `DynamicStructuredTool` with its JSON Schema, and `hangar_call` as one more tool
 * that runs a parallel batch. The run's `signal` cancels the call, and the provider is told.
 *
 * @example
 * ```ts
 * import { createAgent } from "langchain";
 * import { Hangar } from "hangar";
 * import { hangarTools } from "hangar/langchain";
 * await using hangar = await Hangar.open({ config: "hangar.yaml" });
 * const agent = createAgent({ model, tools: await hangarTools(hangar) });
 * ```
 */
import { DynamicStructuredTool, type ToolSchemaBase } from "@langchain/core/tools";
import { type AgentToolsOptions, agentTools, answerText } from "./agent-tools.ts";
import { batchToolDefinition } from "./batch-tool.ts";
import type { Hangar } from "./hangar.ts";
import type { BatchInput } from "./types.ts";

export type { AgentToolsOptions } from "./agent-tools.ts";

/**
 * The LangChain tools of `hangar`. A provider tool returns `[text, answer]` (`content_and_artifact`: the
 * model reads the answer's text, the provider's whole answer is the artifact); an `isError` answer or a
 * call with no answer (timeout, unavailable provider…) throws, as LangChain's own MCP tools do.
 */
export async function hangarTools(hangar: Hangar, options: AgentToolsOptions = {}): Promise<DynamicStructuredTool[]> {
  const tools: DynamicStructuredTool[] = [];
  for (const found of await agentTools(hangar, options)) {
    tools.push(
      new DynamicStructuredTool<ToolSchemaBase>({
        name: found.exposed_as,
        description: found.description ?? `${found.name} of ${found.provider}`,
        schema: found.inputSchema as ToolSchemaBase,
        responseFormat: "content_and_artifact",
        func: async (input: Record<string, unknown>, _run, config) => {
          const signal = config?.signal;
          const answer = await hangar.callTool(found.provider, found.name, input ?? {}, signal ? { signal } : {});
          if (answer.isError === true) throw new Error(answerText(answer));
          return [answerText(answer), answer];
        },
      }),
    );
  }
  if (options.batch ?? true) {
    const batch = batchToolDefinition();
    tools.push(
      new DynamicStructuredTool<ToolSchemaBase>({
        name: batch.name,
        description: batch.description,
        schema: batch.inputSchema as ToolSchemaBase,
        func: async (input: BatchInput, _run, config) => {
          const signal = config?.signal;
          return JSON.stringify(await hangar.call(input, signal ? { signal } : {}));
        },
      }),
    );
  }
  return tools;
}
