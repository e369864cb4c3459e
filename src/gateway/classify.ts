import { ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { CallError, messageOf, withoutMcpPrefix } from "../errors.ts";
import { isSessionLost } from "../providers/index.ts";
import type { CallErrorInfo } from "./batch-schema.ts";

/** Turns whatever a call threw into the `{type, message, retryable}` that its result reports. */
export function classifyError(error: unknown, providerId: string): CallErrorInfo {
  if (error instanceof CallError) return { type: error.type, message: error.message, retryable: error.retryable };
  if (error instanceof ProtocolError) {
    const detail = withoutMcpPrefix(error.message);
    switch (error.code) {
      case ProtocolErrorCode.InvalidParams:
        return {
          type: "invalid_arguments",
          message: `Provider "${providerId}" rejected the arguments: ${detail}`,
          retryable: false,
        };
      case ProtocolErrorCode.MethodNotFound:
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
  if (error instanceof SdkError) {
    switch (error.code) {
      case SdkErrorCode.ConnectionClosed:
        return {
          type: "transport_error",
          message: `Provider "${providerId}" closed the connection during the call`,
          retryable: true,
        };
      case SdkErrorCode.RequestTimeout:
        return { type: "timeout", message: `Provider "${providerId}" did not answer in time`, retryable: true };
      case SdkErrorCode.InvalidResult:
      case SdkErrorCode.UnsupportedResultType:
        return {
          type: "protocol_error",
          message: `Provider "${providerId}" sent a malformed tool result: ${invalidResultDetail(error)}`,
          retryable: false,
        };
      case SdkErrorCode.EraNegotiationFailed:
        // Only a start can fail this way: the provider could not be spoken to in any protocol era.
        return {
          type: "provider_unavailable",
          message: `Cannot start provider "${providerId}": ${error.message}`,
          retryable: true,
        };
    }
  }
  const malformed = schemaProblems(error);
  if (malformed !== undefined) {
    return {
      type: "protocol_error",
      message: `Provider "${providerId}" sent a malformed tool result: ${malformed}`,
      retryable: false,
    };
  }
  if (error instanceof Error && error.name === "AbortError") {
    return { type: "cancelled", message: "The call was cancelled", retryable: true };
  }
  if (error instanceof RangeError) {
    // Hangar's own limit (a stack, an array length), not the provider's failure; the breaker ignores it too.
    return { type: "internal", message: `Hangar could not make the call: ${messageOf(error)}`, retryable: false };
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

/**
 * What an SDK `InvalidResult` says beyond "Invalid result for tools/call: ". The SDK (2.4.0) puts the
 * schema's problems into the message as zod's JSON; they are shown as `path: message` lines.
 */
function invalidResultDetail(error: SdkError): string {
  const detail = error.message.replace(/^Invalid result for [^:]+: /, "");
  let issues: unknown;
  try {
    issues = JSON.parse(detail);
  } catch {
    return detail;
  }
  return (Array.isArray(issues) && problemsOf(issues as SchemaIssue[])) || detail;
}

/** One schema problem as zod reports it (v3 and v4 alike); a union holds its branches' problems. */
interface SchemaIssue {
  readonly path?: readonly PropertyKey[];
  readonly message?: string;
  readonly errors?: readonly (readonly SchemaIssue[])[];
  readonly unionErrors?: readonly { readonly issues: readonly SchemaIssue[] }[];
}

/**
 * For the schema error the SDK rejects with when a provider's result does not fit MCP (a zod error),
 * its first problems as `path: message`, e.g. `content.0.text: expected string, received number`;
 * undefined for any other error.
 */
function schemaProblems(error: unknown): string | undefined {
  if (!(error instanceof Error) || !/ZodError$/.test(error.name)) return undefined;
  const issues = (error as Error & { issues?: readonly SchemaIssue[] }).issues;
  return Array.isArray(issues) ? problemsOf(issues) : undefined;
}

/** Schema problems as `path: message`, the first three, and how many more; undefined when there are none. */
function problemsOf(issues: readonly SchemaIssue[]): string | undefined {
  if (issues.length === 0) return undefined;
  const lines = issues.flatMap((issue) => flatten(issue, []));
  const shown = lines.slice(0, 3).join("; ");
  return lines.length > 3 ? `${shown} (and ${lines.length - 3} more)` : shown;
}

/** An issue as `path: message` lines; of a union's branches, only the closest fit (the fewest problems). */
function flatten(issue: SchemaIssue, parent: readonly PropertyKey[]): string[] {
  const path = [...parent, ...(issue.path ?? [])];
  const branches = issue.errors ?? issue.unionErrors?.map((branch) => branch.issues) ?? [];
  if (branches.length > 0) {
    const closest = branches.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((inner) => flatten(inner, path));
  }
  const where = path.length > 0 ? path.map(String).join(".") : "result";
  return [`${where}: ${(issue.message ?? "invalid").replace(/^Invalid input: /, "")}`];
}
