import type { JSONRPCMessage, MessageExtraInfo, Transport, TransportSendOptions } from "@modelcontextprotocol/client";

/**
 * A transport that hands responses to its client one microtask after they arrive, so notifications read
 * before them (progress) are dispatched first; everything else passes through. Wrap before `connect()`.
 *
 * Why: the SDK client (v1 and v2 2.4.0 alike) handles a response at once but a notification one microtask
 * later, and forgets a request's progress handler with its response, so progress read in the same chunk
 * as the response would be dropped (405–442 of 500 warm calls of the modern fixture's `progress` tool
 * lost some over the SDK's own transport; none with this wrapper).
 *
 * It also notes whether the `server/discover` probe the client sent while connecting was answered, so a
 * legacy verdict that came from the probe's timeout is told apart from one the provider gave.
 */
export class ResponsesLast implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;
  /** Ids of `server/discover` requests sent and not answered yet. */
  private readonly probes = new Set<unknown>();
  /** Whether a `server/discover` was sent, and whether every one was answered. */
  private probeState: "none" | "answered" | "unanswered" = "none";
  /** Responses Hangar reads itself, past the client (raw requests), by request id. */
  private readonly responseClaims = new Map<string, ResponseReader>();
  /** Progress Hangar reads itself, past the client, by progress token. */
  private readonly progressClaims = new Map<string, (message: JSONRPCMessage) => void>();

  constructor(protected readonly inner: Transport) {
    inner.onclose = () => {
      // Claimed requests will get no answer now: each gets a ConnectionClosed error, as the client's do.
      for (const [id, reader] of [...this.responseClaims])
        if (!reader.connectionClosed())
          reader.read({ jsonrpc: "2.0", id, error: { code: -32000, message: "Connection closed" } });
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      if ("method" in message) {
        const progress =
          this.progressClaims.size > 0 && message.method === "notifications/progress"
            ? this.progressClaims.get(
                String((message.params as { progressToken?: unknown } | undefined)?.progressToken),
              )
            : undefined;
        if (progress) progress(message);
        else this.onmessage?.(message, extra);
        return;
      }
      if (!("id" in message)) return void this.onmessage?.(message, extra);
      const reader = this.responseClaims.size > 0 ? this.responseClaims.get(String(message.id)) : undefined;
      if (reader) return reader.read(message);
      if (this.probes.size > 0 && this.probes.delete(message.id) && this.probes.size === 0)
        this.probeState = "answered";
      queueMicrotask(() => this.onmessage?.(message, extra));
    };
  }

  /** "none" if no `server/discover` was sent, "answered" if every one got an answer, else "unanswered". */
  get discoverProbe(): "none" | "answered" | "unanswered" {
    return this.probeState;
  }

  /**
   * Hands the response to request `id` to `reader` instead of the client (requests the client cannot send
   * or read: see raw-dispatch.ts), until `releaseResponse(id)`. A claim pending when the connection closes
   * is told `connectionClosed()`, and read a -32000 error response unless that handled it.
   */
  claimResponse(id: string, reader: ResponseReader): void {
    this.responseClaims.set(id, reader);
  }

  /** Ends the claim of request `id` (its response, should one still come, goes nowhere). */
  releaseResponse(id: string): void {
    this.responseClaims.delete(id);
  }

  /** Hands the progress on `token` to `listener` instead of the client; the returned function ends it. */
  claimProgress(token: string, listener: (message: JSONRPCMessage) => void): () => void {
    this.progressClaims.set(token, listener);
    return () => void this.progressClaims.delete(token);
  }

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ("method" in message && message.method === "server/discover" && "id" in message) {
      this.probes.add(message.id);
      this.probeState = "unanswered";
    }
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

/** Who reads a claimed request's response, and what happens when the connection closes first. */
export interface ResponseReader {
  /** The response to the request. */
  read(message: JSONRPCMessage): void;
  /** The connection closed before the response came: true when handled, else `read` gets a -32000 error response. */
  connectionClosed(): boolean;
}

/**
 * `ResponsesLast` over a child process's stdio: it shows the inner transport's `pid` and `stderr`, which
 * is how the SDK tells a stdio transport (there a probe's timeout means a legacy server; over HTTP it is
 * an outage).
 */
export class StdioResponsesLast extends ResponsesLast {
  constructor(protected override readonly inner: Transport & { readonly pid: unknown; readonly stderr: unknown }) {
    super(inner);
  }

  get pid(): unknown {
    return this.inner.pid;
  }

  get stderr(): unknown {
    return this.inner.stderr;
  }
}

/** Wraps `transport` in `ResponsesLast`, keeping it recognisable as stdio when it is. */
export function responsesLast(transport: Transport): ResponsesLast {
  return "pid" in transport && "stderr" in transport
    ? new StdioResponsesLast(transport as Transport & { pid: unknown; stderr: unknown })
    : new ResponsesLast(transport);
}
