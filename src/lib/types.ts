/**
 * The library's public types, written out as plain interfaces so its `.d.ts` needs no other package (zod,
 * the MCP SDK). They describe the same values as the gateway's zod schemas (src/gateway/batch-schema.ts):
 * `Hangar` returns the gateway's values under these types, so the compiler checks that they agree.
 */

/** One tool call: which provider, which tool, with what arguments (a call of `hangar_call`). */
export interface ToolCall {
  /** The provider's id (a key of `mcpServers`, or a provider's `id`). */
  provider: string;
  /** The tool's name on that provider. */
  tool: string;
  /** The tool's arguments; `{"$hangar.ref": "<id>#<JSON Pointer>"}` inside reads another call's result. */
  arguments?: Record<string, unknown> | undefined;
  /** Your own label, echoed in the result; unique when another call references it. */
  id?: string | undefined;
  /** This call's deadline in seconds, waiting included (default: the provider's `call_timeout_s`, 60). */
  timeout_s?: number | undefined;
  /** Keep only these JSON Pointers of the result (then in `selected`). */
  select?: string[] | undefined;
  /** Cut this call's result to this many bytes of JSON (0 = no limit). */
  max_result_bytes?: number | undefined;
}

/** A whole batch, as `hangar_call` takes it. */
export interface BatchInput {
  calls: ToolCall[];
  /** At most this many calls of the batch at once (default: the gateway's limits only). */
  max_concurrency?: number | undefined;
  /** Deadline of the whole batch in seconds (default none). */
  timeout_s?: number | undefined;
  /** Cancel the remaining calls as soon as one fails (default false). */
  fail_fast?: boolean | undefined;
  /** The batch's results together hold at most this many bytes of JSON (default: no limit). */
  max_result_bytes?: number | undefined;
}

/** How a call failed (docs/contract.md, "The batch"). */
export type CallErrorType =
  | "tool_error"
  | "timeout"
  | "cancelled"
  | "unknown_provider"
  | "unknown_tool"
  | "invalid_arguments"
  | "denied"
  | "provider_unavailable"
  | "circuit_open"
  | "overloaded"
  | "transport_error"
  | "protocol_error"
  | "dependency_failed"
  | "input_required"
  | "internal";

/** Why a call failed, and whether the same call may succeed if tried again. */
export interface CallErrorInfo {
  type: CallErrorType;
  message: string;
  retryable: boolean;
}

/** One block of a tool's answer (`text`, `image`, `audio`, `resource`, `resource_link`). */
export type ContentBlock = { type: string; text?: string | undefined } & Record<string, unknown>;

/** A provider's answer to a tool call (MCP's CallToolResult), as the provider sent it. */
export type ToolAnswer = {
  content: ContentBlock[];
  structuredContent?: unknown;
  /** The tool itself reported a failure: data, not an exception. */
  isError?: boolean | undefined;
} & Record<string, unknown>;

/** The outcome of one call of a batch. */
export interface CallResult {
  /** Position of the call in the batch. */
  index: number;
  id?: string | undefined;
  provider: string;
  tool: string;
  ok: boolean;
  /** The provider's answer (kept for a `tool_error` too). */
  result?: ToolAnswer | undefined;
  /** With `select`: the value at each pointer, by pointer. */
  selected?: Record<string, unknown> | undefined;
  /** `result` is a text preview cut to `max_result_bytes`. */
  truncated?: true | undefined;
  original_bytes?: number | undefined;
  error?: CallErrorInfo | undefined;
  /** From the call getting its turn to its result. */
  elapsed_ms: number;
  /** Upstream attempts (0: it never reached the provider). */
  attempts: number;
}

/** The result of a whole batch: one result per call, in call order. */
export interface BatchResult {
  batch_id: string;
  /** true when every call succeeded. */
  ok: boolean;
  total: number;
  succeeded: number;
  failed: number;
  elapsed_ms: number;
  results: CallResult[];
}

/** Progress a provider reported during a call (MCP `notifications/progress`). */
export interface CallProgress {
  progress: number;
  total?: number | undefined;
  message?: string | undefined;
}

/** A tool of a provider, as `Hangar.tools` lists it. */
export interface ProviderTool {
  provider: string;
  name: string;
  description?: string | undefined;
  /** The tool's JSON Schema for its arguments. */
  inputSchema: Record<string, unknown>;
  /**
   * The name MCP clients see it under (`<provider>__<tool>`, or the tool's own with `prefix: false`); absent
   * when its provider sets `expose: false` (reachable through `hangar_call` only).
   */
  exposed_as?: string | undefined;
  /** With `query`: the relevance score (only comparable within one answer). */
  score?: number | undefined;
}

/** One provider's health, as `Hangar.status` reports it (`hangar_status`). */
export interface ProviderHealth {
  id: string;
  kind: "stdio" | "docker" | "http";
  /** cold, starting, ready, draining, stopped or failed. */
  state: string;
  circuit: { state: string; retry_in_s?: number | undefined };
  in_flight: number;
  queued: number;
  calls: number;
  starts: number;
  failed_starts: number;
  crashes: number;
  tools: number;
  uptime_s?: number | undefined;
  pid?: number | undefined;
  last_error?: string | undefined;
}

/** Every provider's health. */
export interface HangarStatus {
  uptime_s: number;
  providers: ProviderHealth[];
}

/** One `mcpServers` entry, as Claude Desktop, Cursor and Claude Code write it. */
export interface McpServerEntry {
  /** A program to run (stdio)… */
  command?: string | undefined;
  args?: string[] | undefined;
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  /** …or a Streamable HTTP endpoint. */
  url?: string | undefined;
  headers?: Record<string, string> | undefined;
  type?: "stdio" | "http" | "streamable-http" | "sse" | undefined;
}
