import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { CallError, messageOf } from "../errors.ts";
import { isSessionLost } from "../providers/index.ts";
import type { CallErrorInfo } from "./batch-schema.ts";

/** Turns whatever a call threw into the `{type, message, retryable}` that its result reports. */
export function classifyError(error: unknown, providerId: string): CallErrorInfo {
  if (error instanceof CallError) return { type: error.type, message: error.message, retryable: error.retryable };
  if (error instanceof McpError) {
    const detail = error.message.replace(/^MCP error -?\d+: /, "");
    switch (error.code) {
      case ErrorCode.ConnectionClosed:
        return {
          type: "transport_error",
          message: `Provider "${providerId}" closed the connection during the call`,
          retryable: true,
        };
      case ErrorCode.RequestTimeout:
        return { type: "timeout", message: `Provider "${providerId}" did not answer in time`, retryable: true };
      case ErrorCode.InvalidParams:
        return {
          type: "invalid_arguments",
          message: `Provider "${providerId}" rejected the arguments: ${detail}`,
          retryable: false,
        };
      case ErrorCode.MethodNotFound:
        return {
          type: "unknown_tool",
          message: `Provider "${providerId}" does not serve tools: ${detail}`,
          retryable: false,
        };
      default:
        return {
          type: "tool_error",
          message: `Provider "${providerId}" answered with error ${error.code}: ${detail}`,
          retryable: false,
        };
    }
  }
  if (error instanceof Error && error.name === "AbortError") {
    return { type: "cancelled", message: "The call was cancelled", retryable: true };
  }
  if (isSessionLost(error)) {
    return {
      type: "transport_error",
      message: `Provider "${providerId}" no longer knows our session`,
      retryable: true,
    };
  }
  return {
    type: "transport_error",
    message: `Call to provider "${providerId}" failed: ${messageOf(error)}`,
    retryable: true,
  };
}
