// A provider for the in-process benches (bench/hop-js.ts, bench/hop-http.ts): the demo server, served as
// over stdio in the 2026-07-28 era over the SDK's InMemoryTransport, whose `tools/call` answers come back
// in a microtask from this process. No pipes, no syscalls, no JSON text: what is left of a call is
// Hangar's own JavaScript.
import { InMemoryTransport, type JSONRPCMessage, type Transport } from "@modelcontextprotocol/client";
import { serveStdio } from "@modelcontextprotocol/server/stdio";
import { createDemoServer } from "../src/demo/demo-server.ts";
import { connectClient } from "../src/providers/connect-client.ts";
import type { Connection, Driver } from "../src/providers/index.ts";

/**
 * The provider's side as a stdio transport (it shows `pid` and `stderr`, so Hangar uses its raw channel):
 * everything goes to the demo server, except the raw channel's `tools/call`, answered here in a microtask
 * with a fresh 2026-07-28 result (as if parsed from the provider's line).
 */
class InstantToolCalls implements Transport {
  readonly pid = 0;
  readonly stderr = null;
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly inner: InMemoryTransport) {
    inner.onmessage = (message) => this.onmessage?.(message);
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if ("method" in message && message.method === "tools/call" && "id" in message) {
      const id = message.id;
      queueMicrotask(() =>
        this.onmessage?.({
          jsonrpc: "2.0",
          id,
          result: { resultType: "complete", content: [{ type: "text", text: "x" }] },
        } as JSONRPCMessage),
      );
      return Promise.resolve();
    }
    return this.inner.send(message);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The driver of provider "p0" (every call answered at once, see `InstantToolCalls`). */
export const instantDriver: Driver = {
  kind: "stdio",
  async connect(signal, plan): Promise<Connection> {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    // As the demo provider serves stdio: both eras, a 2026-07-28 client's `server/discover` answered.
    const server = serveStdio(() => createDemoServer({ name: "p0" }), { transport: serverSide });
    const { client, era, learned } = await connectClient(new InstantToolCalls(clientSide), signal, plan, {
      providerId: "p0",
    });
    if (era !== "modern") throw new Error(`the demo server spoke the ${era} era, not 2026-07-28`);
    return {
      client,
      era: { era, learned },
      pid: undefined,
      stderrTail: () => "",
      closeReason: () => undefined,
      onClose: () => {},
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  },
};
