// The v2 SDK client (2.4.0, like v1) handles a response at once but a notification one microtask later, and
// forgets a request's progress handler with its response: progress read in the same chunk as the response
// is dropped (442 of 500 warm calls of the modern fixture's `progress` tool lost some). Hangar works around
// it today by patching `onmessage` after connect (deliverResponsesLast, src/providers/connect-client.ts);
// this is the wrapping form issue 16 item 9 asks for, proven here before src/ moves to it.
import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from "@modelcontextprotocol/client";

/**
 * A transport that hands responses to its owner one microtask after they arrive, so notifications read
 * before them (progress) are dispatched first. Wrap before `connect()`; everything else passes through.
 */
export class ResponsesLast implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;

  constructor(private readonly inner: Transport) {
    inner.onclose = () => this.onclose?.();
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      if ("id" in message && !("method" in message)) queueMicrotask(() => this.onmessage?.(message, extra));
      else this.onmessage?.(message, extra);
    };
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  setSupportedProtocolVersions(versions: string[]): void {
    this.inner.setSupportedProtocolVersions?.(versions);
  }
}
