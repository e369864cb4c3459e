// A `Driver` with no process: each connect links a v2 SDK client to a fresh v2 `McpServer` in this process
// through the SDK's InMemoryTransport pair (issue 16 item 11), for gateway and pool tests where processes are
// not the point. Give it to the Gateway with `inMemoryDrivers({...})` as `GatewayDeps.driverFor`.
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import type { McpServer } from "@modelcontextprotocol/server";
import type { ResolvedProvider } from "../../src/config/types.ts";
import { createDemoServer } from "../../src/demo/demo-server.ts";
import type { Connection, Driver } from "../../src/providers/index.ts";

/** An in-memory provider: `connects` counts its starts; `close()` of a connection closes both ends. */
export class InMemoryDriver implements Driver {
  readonly kind = "stdio";
  connects = 0;

  constructor(private readonly server: () => McpServer) {}

  async connect(signal: AbortSignal): Promise<Connection> {
    signal.throwIfAborted();
    this.connects++;
    const server = this.server();
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: "hangar", version: "test" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    const listeners: (() => void)[] = [];
    let closed = false;
    client.onclose = () => {
      if (closed) return;
      closed = true;
      for (const listener of listeners.splice(0)) listener();
    };
    return {
      client,
      era: { era: "legacy", learned: undefined },
      pid: undefined,
      stderrTail: () => "",
      closeReason: () => undefined,
      onClose: (listener) => void (closed ? listener() : listeners.push(listener)),
      close: async () => {
        await client.close();
        await server.close();
      },
    };
  }
}

/**
 * `GatewayDeps.driverFor` serving the providers named in `servers` in memory (each id's factory builds a
 * fresh server per start; default: the demo provider), and leaving every other provider to its transport.
 */
export function inMemoryDrivers(servers: Record<string, (() => McpServer) | "demo">): {
  driverFor: (provider: ResolvedProvider) => Driver | undefined;
  drivers: Map<string, InMemoryDriver>;
} {
  const drivers = new Map<string, InMemoryDriver>();
  for (const [id, server] of Object.entries(servers))
    drivers.set(id, new InMemoryDriver(server === "demo" ? () => createDemoServer({ name: id }) : server));
  return { driverFor: (provider) => drivers.get(provider.id), drivers };
}

/**
 * `GatewayDeps.driverFor` serving every provider that runs hangar's demo provider (`demoProvider(id)`) in
 * memory, one driver per provider, and leaving the others (fixtures, remote servers) to their transport.
 */
export function demoInMemory(): (provider: ResolvedProvider) => Driver | undefined {
  const drivers = new Map<string, InMemoryDriver>();
  return (provider) => {
    const { transport } = provider;
    if (transport.kind !== "stdio" || !transport.args.includes("demo-provider")) return undefined;
    let driver = drivers.get(provider.id);
    if (driver === undefined) {
      driver = new InMemoryDriver(() => createDemoServer({ name: provider.id }));
      drivers.set(provider.id, driver);
    }
    return driver;
  };
}
