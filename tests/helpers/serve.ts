// Drives the compiled `dist/hangar serve` through the MCP SDK client over real stdio, in a sandbox.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, ClientCapabilities, ServerNotification } from "@modelcontextprotocol/sdk/types.js";
import {
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import type { BatchResult } from "../../src/gateway/index.ts";
import { ResponsesLast } from "../../src/providers/responses-last.ts";
import { hangarBinary, killLeftovers, type Sandbox } from "./e2e.ts";
import { descendants, isAlive, waitFor } from "./processes.ts";

/** A live `hangar serve` session: the client, hangar's pid, what it printed on stderr, and the notifications it sent. */
export interface ServeSession extends AsyncDisposable {
  readonly client: Client;
  readonly pid: number;
  stderr(): string;
  /** `tools/list_changed` notifications received so far. */
  listChanged(): number;
  /** Log messages forwarded to the client so far. */
  readonly logs: ServerNotification["params"][];
  /** Every process below hangar seen so far (remembered for cleanup). */
  children(): number[];
}

/** Options of `serve`; every field says its default. */
export interface ServeOptions {
  /** What the client declares (default none). */
  readonly capabilities?: ClientCapabilities;
  /** Extra environment for hangar (default none). */
  readonly env?: Record<string, string>;
  /** Arguments after `serve` (default none). */
  readonly args?: readonly string[];
  /** Called with the client before it connects, to set request handlers (default none). */
  readonly setup?: (client: Client) => void;
}

/** Starts `hangar serve` in `box` (its hangar.yaml, if written, is used) and connects an SDK client. */
export async function serve(box: Sandbox, options: ServeOptions = {}): Promise<ServeSession> {
  const transport = new StdioClientTransport({
    command: hangarBinary(),
    args: ["serve", ...(options.args ?? [])],
    env: { ...box.env, ...options.env },
    cwd: box.cwd,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: "hangar-tests", version: "1.0.0" }, { capabilities: options.capabilities ?? {} });
  let changed = 0;
  const logs: ServerNotification["params"][] = [];
  client.setNotificationHandler(ToolListChangedNotificationSchema, async () => void changed++);
  client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => void logs.push(n.params));
  options.setup?.(client);
  // The SDK client drops progress that arrives in the same read as its response; Hangar's own upstream
  // client works around it the same way, so tests see what hangar wrote, in order.
  await client.connect(new ResponsesLast(transport));
  const pid = transport.pid!;
  const seen = new Set<number>();
  const children = () => {
    for (const child of descendants(pid)) seen.add(child);
    return [...seen];
  };
  return {
    client,
    pid,
    stderr: () => stderr,
    listChanged: () => changed,
    logs,
    children,
    async [Symbol.asyncDispose]() {
      children();
      await client.close().catch(() => {});
      await waitFor(
        () => [...seen, pid].every((p) => !isAlive(p)),
        10_000,
        "hangar serve and its providers to exit",
      ).catch(() => {});
      killLeftovers([pid, ...seen]);
    },
  };
}

/** The first text content of a tool result. */
export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.find((c) => c.type === "text")?.text ?? "";
}

/** Runs one `hangar_call` through the session; returns the batch result and the tool result it came in. */
export async function hangarCall(
  session: ServeSession,
  calls: readonly Record<string, unknown>[],
): Promise<{ batch: BatchResult; result: CallToolResult }> {
  const result = (await session.client.callTool({ name: "hangar_call", arguments: { calls } })) as CallToolResult;
  return { batch: result.structuredContent as unknown as BatchResult, result };
}
