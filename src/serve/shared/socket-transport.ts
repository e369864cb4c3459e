import type { Socket } from "node:net";
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server";
import { StdioServerTransport } from "../stdio-server-transport.ts";

/**
 * MCP over one attached client's socket: the stdio transport of `hangar serve` (the same line framing
 * and error answers) reading from and writing to the socket. Responses go out with `id` as their first
 * key, `{"id":…,"jsonrpc":"2.0",…}`, so the bridge can tell which requests were answered from a line's
 * first bytes without parsing it (see bridge.ts). `rest` is what arrived after the hello line.
 */
export class SocketServerTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private readonly inner: StdioServerTransport;

  /** `onEnd` is told once the connection ended. */
  constructor(
    private readonly socket: Socket,
    rest: Buffer,
    onEnd: () => void,
  ) {
    this.inner = new StdioServerTransport({ stdin: prefixed(socket, rest), stdout: socket, onEnd });
    this.inner.onmessage = (message) => this.onmessage?.(message);
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => this.onclose?.();
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if ("id" in message && ("result" in message || "error" in message))
      return this.inner.send({ id: message.id, ...message } as JSONRPCMessage);
    return this.inner.send(message);
  }

  async close(): Promise<void> {
    await this.inner.close();
    this.socket.destroy();
  }
}

/**
 * The socket as the transport's input, `rest` (what came with the hello line) delivered first; no
 * stream in between, so a message costs no extra turn of the event loop. The socket is paused until
 * the transport listens.
 */
function prefixed(socket: Socket, rest: Buffer): NodeJS.ReadableStream {
  const input = {
    on(event: string, listener: (...args: unknown[]) => void) {
      if (event === "data" && rest.length > 0) {
        const first = rest;
        rest = Buffer.alloc(0);
        listener(first);
      }
      socket.on(event, listener);
      if (event === "data") socket.resume();
      return input;
    },
    off(event: string, listener: (...args: unknown[]) => void) {
      socket.off(event, listener);
      return input;
    },
    pause() {
      socket.pause();
      return input;
    },
  };
  return input as unknown as NodeJS.ReadableStream;
}
