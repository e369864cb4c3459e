import type { Hangar } from "./hangar.ts";
import type { ProviderTool, ToolAnswer } from "./types.ts";

/** Which tools an adapter gives the agent; every field says its default. */
export interface AgentToolsOptions {
  /** Only these providers' tools (default: every exposed provider's). */
  readonly providers?: readonly string[];
  /** Only the tools that best match this, in plain words (default: every tool). */
  readonly query?: string;
  /** With `query`: how many tools (default 10). */
  readonly limit?: number;
  /** Also give `hangar_call`, every provider's tools in one parallel batch (default true). */
  readonly batch?: boolean;
}

/** A provider tool MCP clients see, under `exposed_as`. */
export type ExposedTool = ProviderTool & { exposed_as: string };

/**
 * The provider tools an adapter turns into its framework's tools, each under the name MCP clients see
 * (`<provider>__<tool>`): a provider with `expose: false` stays reachable through `hangar_call` only.
 */
export async function agentTools(hangar: Hangar, options: AgentToolsOptions): Promise<ExposedTool[]> {
  const listed = await hangar.tools({
    ...(options.query === undefined ? {} : { query: options.query }),
    ...(options.limit === undefined ? {} : { limit: options.limit }),
  });
  const wanted = options.providers && new Set(options.providers);
  return listed.filter(
    (tool): tool is ExposedTool => tool.exposed_as !== undefined && (wanted === undefined || wanted.has(tool.provider)),
  );
}

/** An answer's text blocks joined, for frameworks that hand the model a string. */
export function answerText(answer: ToolAnswer): string {
  const texts = answer.content.filter((block) => block.type === "text").map((block) => block.text ?? "");
  return texts.length === answer.content.length ? texts.join("\n") : JSON.stringify(answer.content);
}
