import { type CallToolResult, type Client, type Progress, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { ProviderError } from "../errors.ts";
import { type Connection, NO_SDK_TIMEOUT } from "../providers/index.ts";

/** Options of one upstream tool call. */
export interface UpstreamCallOptions {
  readonly signal: AbortSignal;
  /** Progress the provider reports during the call. */
  readonly onProgress?: (progress: Progress) => void;
  /** Request metadata sent upstream (e.g. a trace context); the progress token is Hangar's own. */
  readonly meta?: Record<string, unknown>;
}

/** Sends `tools/call` with the call's signal, progress listener and metadata, and no timeout of the SDK's own. */
export function requestToolCall(
  client: Client,
  name: string,
  args: Record<string, unknown> | undefined,
  options: UpstreamCallOptions,
): Promise<CallToolResult> {
  const base = args === undefined ? { name } : { name, arguments: args };
  const params = options.meta ? { ...base, _meta: options.meta } : base;
  const requestOptions = {
    signal: options.signal,
    timeout: NO_SDK_TIMEOUT,
    ...(options.onProgress ? { onprogress: options.onProgress } : {}),
  };
  return client.request({ method: "tools/call", params }, requestOptions) as Promise<CallToolResult>;
}

/** A call's failure as its caller sees it: a connection that closed under it means the provider stopped. */
export function callFailure(providerId: string, connection: Connection, error: unknown): unknown {
  if (!(error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed)) return error;
  const reason = connection.closeReason() ?? "its connection closed";
  return new ProviderError(
    providerId,
    `Provider "${providerId}" stopped during the call: ${reason}`,
    "transport_error",
  );
}
