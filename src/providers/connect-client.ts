import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { VERSION } from "../version.ts";

/** Creates Hangar's MCP client and runs `initialize` over `transport`; closes the transport on failure. */
export async function connectClient(transport: Transport, signal: AbortSignal): Promise<Client> {
  const client = new Client({ name: "hangar", version: VERSION }, { capabilities: {} });
  const onAbort = () => void transport.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    signal.throwIfAborted();
    await client.connect(transport, { signal, timeout: 2 ** 31 - 1 });
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
