import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { VERSION } from "../version.ts";
import { type ClientBridge, noBridge } from "./client-bridge.ts";

/**
 * The SDK's per-request timeout, set out of the way: Hangar ends requests with its own signals (call
 * deadlines, startup timeouts, cancellation), and a person may take long to answer a forwarded request.
 */
export const NO_SDK_TIMEOUT = 2 ** 31 - 1;

/** Who is connecting: the provider's id and the bridge to the client in front (default none). */
export interface ConnectOptions {
  readonly providerId: string;
  readonly bridge?: ClientBridge;
}

/** Creates Hangar's MCP client and runs `initialize` over `transport`; closes the transport on failure. */
export async function connectClient(
  transport: Transport,
  signal: AbortSignal,
  options?: ConnectOptions,
): Promise<Client> {
  const bridge = options?.bridge ?? noBridge;
  const client = new Client({ name: "hangar", version: VERSION }, { capabilities: bridge.capabilities() });
  bridge.attach(options?.providerId ?? "", client);
  const onAbort = () => void transport.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    signal.throwIfAborted();
    await client.connect(transport, { signal, timeout: NO_SDK_TIMEOUT });
    deliverResponsesLast(transport);
    return client;
  } catch (error) {
    await transport.close().catch(() => {});
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Wraps a listener list so each listener runs once, when `fire` is first called. */
export function closeListeners(): { add(listener: () => void): void; fire(): void } {
  const listeners: (() => void)[] = [];
  let fired = false;
  return {
    add(listener) {
      if (fired) queueMicrotask(listener);
      else listeners.push(listener);
    },
    fire() {
      if (fired) return;
      fired = true;
      for (const listener of listeners.splice(0)) listener();
    },
  };
}

/**
 * The SDK handles a notification one microtask after it arrives but a response at once, and forgets a
 * request's progress handler with its response: progress that arrives in the same read as the response
 * would be dropped. Handing responses over one microtask later keeps the provider's order.
 */
export function deliverResponsesLast(transport: Transport): void {
  const deliver = transport.onmessage;
  if (deliver === undefined) return;
  transport.onmessage = (message, extra) => {
    if ("id" in message && !("method" in message)) queueMicrotask(() => deliver(message, extra));
    else deliver(message, extra);
  };
}
