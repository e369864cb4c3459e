/**
 * Hangar as a library: `Hangar.open({ config })` runs the MCP servers of a config as providers inside your
 * process (Node ≥ 20, Bun or Deno) and calls their tools in parallel batches, with lazy start, limits,
 * deadlines and circuit breakers. Adapters for agent frameworks are separate entries: `hangar/ai-sdk`
 * (Vercel AI SDK) and `hangar/langchain` (LangChain).
 */
import "./node20.ts";

export { CallError, ConfigError, HangarError, InvalidBatchError } from "../errors.ts";
export { batchToolDefinition, type ToolDefinition } from "./batch-tool.ts";
export { demoServers } from "./demo-command.ts";
export {
  type CallOptions,
  type CallToolOptions,
  Hangar,
  type HangarOptions,
  type HangarStream,
  type StatusOptions,
  type ToolsOptions,
} from "./hangar.ts";
export type { ConfigInput } from "./open-config.ts";
export type {
  BatchInput,
  BatchResult,
  CallErrorInfo,
  CallErrorType,
  CallProgress,
  CallResult,
  ContentBlock,
  HangarStatus,
  McpServerEntry,
  ProviderHealth,
  ProviderTool,
  ToolAnswer,
  ToolCall,
} from "./types.ts";
