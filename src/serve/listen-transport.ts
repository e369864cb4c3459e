import type {
  JSONRPCMessage,
  MessageExtraInfo,
  RequestId,
  Transport,
  TransportSendOptions,
} from "@modelcontextprotocol/server";
import { InterceptingTransport } from "./intercepting-transport.ts";
import { isListenRequest, type ResourceListens } from "./resource-listens.ts";

/**
 * A stdio-style connection whose 2026 clients' `subscriptions/listen` requests follow their resources
 * upstream (resource-listens.ts): a listen naming resources reaches the SDK (which acknowledges it and
 * then delivers updates on it) only once they are followed; the following ends when the client cancels
 * the listen, the listen is answered (refused, or ended by the server) or the connection closes. Every
 * other message passes untouched.
 */
export class ListenTransport extends InterceptingTransport {
  /** Listens being followed (or being set up: `undefined` until then), by request id. */
  private readonly open = new Map<RequestId, (() => void) | undefined>();
  private readonly closing = new AbortController();

  constructor(
    inner: Transport,
    private readonly listens: ResourceListens,
  ) {
    super(inner);
  }

  /** Takes a listen (handed on once its resources are followed); notes the cancellation of one. */
  protected intercept(message: JSONRPCMessage, extra?: MessageExtraInfo): boolean {
    if (isListenRequest(message)) {
      void this.follow(message, extra);
      return true;
    }
    if ("method" in message && message.method === "notifications/cancelled")
      this.end((message.params as { requestId?: RequestId } | undefined)?.requestId);
    return false;
  }

  override send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ("id" in message && ("result" in message || "error" in message)) this.end(message.id);
    return this.inner.send(message, options);
  }

  private async follow(message: JSONRPCMessage & { id: RequestId }, extra?: MessageExtraInfo): Promise<void> {
    const id = message.id;
    this.open.set(id, undefined);
    try {
      const listen = await this.listens.open(message as Parameters<ResourceListens["open"]>[0], this.closing.signal);
      // Cancelled (or the connection closed) while its resources were being followed: nothing to serve.
      if (!this.open.has(id)) return listen.close();
      this.open.set(id, () => listen.close());
      this.onmessage?.(listen.message as JSONRPCMessage, extra);
    } catch (error) {
      this.open.delete(id);
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      this.onmessage?.(message, extra);
    }
  }

  /** Stops following listen `id` (when it is one). */
  private end(id: RequestId | undefined): void {
    if (id === undefined || !this.open.has(id)) return;
    const close = this.open.get(id);
    this.open.delete(id);
    close?.();
  }

  protected abortAll(): void {
    this.closing.abort();
    for (const id of [...this.open.keys()]) this.end(id);
  }
}
