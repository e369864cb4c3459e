// The systems the comparison drives, each through a real MCP client as an agent would: the servers
// directly, hangar (`hangar serve` over stdio), mcp-hub (one hub, SSE at /mcp) and supergateway (one
// bridge process per server, Streamable HTTP). Every one runs the same demo provider processes.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { freePort, until } from "./procs.ts";

const root = resolve(import.meta.dir, "../..");
/** The compiled hangar; its `demo-provider` is the MCP server behind every system. */
export const HANGAR = join(root, "dist/hangar");
const NODE = Bun.which("node") ?? process.execPath;
const MCP_HUB = join(root, "node_modules/mcp-hub/dist/cli.js");
const SUPERGATEWAY = join(root, "node_modules/supergateway/dist/index.js");

/** The kinds of system under test. */
export type SystemKind = "direct" | "hangar" | "mcp-hub" | "supergateway" | "supergateway-stateless";

/** A running system: call a tool of provider `i`, maybe run a batch, and its own (gateway) processes. */
export interface System {
  readonly kind: SystemKind;
  /** Calls `tool` on provider `i`; true when it succeeded. */
  call(i: number, tool: string, args: Record<string, unknown>): Promise<boolean>;
  /** One batch call (hangar_call); undefined when the system has no batching. */
  readonly batch?: (calls: { i: number; tool: string; args: Record<string, unknown> }[]) => Promise<boolean>;
  /** Pids of the gateway's own processes (none for direct), the roots below which providers run. */
  gatewayPids(): number[];
  /** Roots to look for provider processes under (the gateway, or this process for direct). */
  roots(): number[];
  close(): Promise<void>;
}

const id = (i: number) => `p${i}`;
const demoArgs = (i: number) => ["demo-provider", "--name", id(i)];

async function client(transport: Transport): Promise<Client> {
  const c = new Client({ name: "hangar-compare", version: "1" });
  await c.connect(transport);
  return c;
}

const ok = (result: unknown) => (result as { isError?: boolean }).isError !== true;

/** Launches `kind` with `providers` demo providers; `launched` is when its processes were spawned. */
export async function launch(kind: SystemKind, providers: number): Promise<System & { launched: number }> {
  const launched = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "hangar-compare-"));
  const range = Array.from({ length: providers }, (_, i) => i);
  if (kind === "direct") {
    const transports = range.map(
      (i) => new StdioClientTransport({ command: HANGAR, args: demoArgs(i), stderr: "ignore" }),
    );
    const clients = await Promise.all(transports.map(client));
    return {
      kind,
      launched,
      call: async (i, tool, args) => ok(await clients[i]!.callTool({ name: tool, arguments: args })),
      gatewayPids: () => [],
      roots: () => [process.pid],
      close: async () => void (await Promise.all(clients.map((c) => c.close()))),
    };
  }
  if (kind === "hangar") {
    const yaml = [
      "max_concurrency: 1024",
      "max_batch_size: 1000",
      "defaults: { max_concurrency: 128, health_check_interval_s: 0 }",
      "providers:",
      ...range.map((i) => `  - id: ${id(i)}\n    command: ${JSON.stringify([HANGAR, ...demoArgs(i)])}`),
    ].join("\n");
    writeFileSync(join(dir, "hangar.yaml"), `${yaml}\n`);
    const transport = new StdioClientTransport({
      command: HANGAR,
      args: ["--config", join(dir, "hangar.yaml"), "serve"],
      stderr: "ignore",
    });
    const c = await client(transport);
    return {
      kind,
      launched,
      call: async (i, tool, args) => ok(await c.callTool({ name: `${id(i)}__${tool}`, arguments: args })),
      batch: async (calls) => {
        const result = await c.callTool({
          name: "hangar_call",
          arguments: { calls: calls.map((x) => ({ provider: id(x.i), tool: x.tool, arguments: x.args })) },
        });
        return (result.structuredContent as { ok?: boolean } | undefined)?.ok === true;
      },
      gatewayPids: () => (transport.pid ? [transport.pid] : []),
      roots: () => (transport.pid ? [transport.pid] : []),
      close: () => c.close(),
    };
  }
  if (kind === "mcp-hub") {
    const servers = Object.fromEntries(range.map((i) => [id(i), { command: HANGAR, args: demoArgs(i) }]));
    writeFileSync(join(dir, "hub.json"), JSON.stringify({ mcpServers: servers }));
    const port = await freePort();
    const proc = Bun.spawn([NODE, MCP_HUB, "--port", String(port), "--config", join(dir, "hub.json")], {
      stdout: "ignore",
      stderr: "ignore",
      env: { ...process.env, XDG_STATE_HOME: dir, HOME: dir },
    });
    await until(
      async () => {
        const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as {
          servers?: { status: string }[];
        };
        return health.servers?.length === providers && health.servers.every((s) => s.status === "connected");
      },
      60_000,
      "mcp-hub to connect its servers",
    );
    const c = await client(new SSEClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    return {
      kind,
      launched,
      call: async (i, tool, args) => ok(await c.callTool({ name: `${id(i)}__${tool}`, arguments: args })),
      gatewayPids: () => [proc.pid],
      roots: () => [proc.pid],
      close: async () => {
        await c.close().catch(() => {});
        proc.kill();
        await proc.exited;
      },
    };
  }
  const stateful = kind === "supergateway";
  const ports = await Promise.all(range.map(() => freePort()));
  const procs = range.map((i) =>
    Bun.spawn(
      [
        NODE,
        SUPERGATEWAY,
        "--stdio",
        [HANGAR, ...demoArgs(i)].join(" "),
        "--outputTransport",
        "streamableHttp",
        "--port",
        String(ports[i]),
        ...(stateful ? ["--stateful"] : []),
        "--logLevel",
        "none",
      ],
      { stdout: "ignore", stderr: "ignore" },
    ),
  );
  const clients = await Promise.all(
    ports.map(async (port) => {
      await until(
        async () => (await fetch(`http://127.0.0.1:${port}/mcp`)).status > 0,
        30_000,
        "supergateway to listen",
      );
      return await client(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)));
    }),
  );
  return {
    kind,
    launched,
    call: async (i, tool, args) => ok(await clients[i]!.callTool({ name: tool, arguments: args })),
    gatewayPids: () => procs.map((p) => p.pid),
    roots: () => procs.map((p) => p.pid),
    close: async () => {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      for (const p of procs) p.kill();
      await Promise.all(procs.map((p) => p.exited));
    },
  };
}
