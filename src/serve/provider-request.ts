import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import { messageOf, withoutMcpPrefix } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";
import type { ProviderHandle } from "../pool/index.ts";

/** The MCP client the pool holds for a provider (its type is the upstream side's). */
export type ProviderClient = Parameters<Parameters<ProviderHandle["withClient"]>[1]>[0];

/**
 * Runs `work` (a request other than a tool call) on provider `providerId`'s client, starting it if needed,
 * through its breaker. The one place a front maps an upstream failure to what its client gets: the
 * provider's own JSON-RPC error keeps its code and data (its message without the SDK's "MCP error
 * <code>:" prefixes, which a client's SDK would add once more), anything else is an internal error.
 */
export async function providerRequest<T>(
  gateway: Gateway,
  providerId: string,
  signal: AbortSignal,
  work: (client: ProviderClient, signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const handle = gateway.handles.get(providerId)!;
  try {
    return await handle.guard(() => handle.withClient(signal, (client) => work(client, signal)), signal);
  } catch (error) {
    throw asProtocolError(error);
  }
}

/** `error` as the JSON-RPC error a front sends. */
export function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError && !error.message.startsWith("MCP error")) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "number" && Number.isSafeInteger(code))
    return new ProtocolError(code, withoutMcpPrefix(messageOf(error)), (error as { data?: unknown }).data);
  return new ProtocolError(ProtocolErrorCode.InternalError, messageOf(error));
}
