import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from "@modelcontextprotocol/server";

/**
 * A transport in front of another that sees each incoming message before the SDK does (the fast route's
 * wrappers of a stdio-style connection and of an HTTP session, the following of 2026 listens): what
 * `intercept` takes never reaches the
 * SDK; everything else, and every outgoing message, passes through unchanged. When the connection closes,
 * from either side, `abortAll` ends what the wrapper runs itself.
 */
export abstract class InterceptingTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  constructor(protected readonly inner: Transport) {
    inner.onmessage = (message, extra) => {
      if (!this.intercept(message, extra)) this.onmessage?.(message, extra);
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onclose = () => {
      this.abortAll();
      this.onclose?.();
    };
  }

  /** Whether the wrapper takes `message` itself (it then never reaches the SDK, unless the wrapper hands it on). */
  protected abstract intercept(message: JSONRPCMessage, extra?: MessageExtraInfo): boolean;

  /** Ends every call the wrapper runs itself: the connection is gone. */
  protected abstract abortAll(): void;

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async close(): Promise<void> {
    this.abortAll();
    await this.inner.close();
  }
}
