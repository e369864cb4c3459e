import type { Client } from "@modelcontextprotocol/client";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { messageOf } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";

/**
 * Runs `work` (a request other than a tool call) on provider `providerId`'s client, starting it if needed,
 * through its breaker; a failure reaches the client as an MCP error.
 */
export async function providerRequest<T>(
  gateway: Gateway,
  providerId: string,
  signal: AbortSignal,
  work: (client: Client, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const handle = gateway.handles.get(providerId)!;
  try {
    return await handle.guard(() => handle.withClient(signal, (client) => work(client, signal)), signal);
  } catch (error) {
    if (error instanceof McpError) throw error;
    throw new McpError(ErrorCode.InternalError, messageOf(error));
  }
}
