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
  /** Listeners of messages Hangar reads itself, past the client: raw responses by id, progress by token. */
  private readonly claims = new Map<string, (message: JSONRPCMessage) => void>();
  /** What to do instead of answering a claimed request when the connection closes first (by claim key). */
  private readonly onClosed = new Map<string, () => void>();

  constructor(protected readonly inner: Transport) {
    inner.onclose = () => {
      // Claimed requests will get no answer now: each gets a ConnectionClosed error, as the client's do.
      for (const [key, listener] of [...this.claims]) {
        if (!key.startsWith("id:")) continue;
        const closed = this.onClosed.get(key);
        if (closed) closed();
        else listener({ jsonrpc: "2.0", id: key.slice(3), error: { code: -32000, message: "Connection closed" } });
      }
      this.onclose?.();
    };
    inner.onerror = (error) => this.onerror?.(error);
    inner.onmessage = (message, extra) => {
      const key = this.claims.size > 0 ? claimKey(message) : undefined;
      const claim = key === undefined ? undefined : this.claims.get(key);
      if (claim) claim(message);
      else if ("id" in message && !("method" in message)) {
        if (this.probes.size > 0 && this.probes.delete(message.id) && this.probes.size === 0)
          this.probeState = "answered";
        queueMicrotask(() => this.onmessage?.(message, extra));
      } else this.onmessage?.(message, extra);
    };
  }

  /** "none" if no `server/discover` was sent, "answered" if every one got an answer, else "unanswered". */
  get discoverProbe(): "none" | "answered" | "unanswered" {
    return this.probeState;
  }

  /**
   * Hands the response to request `id`, or the progress on token `token`, to `listener` instead of the
   * client (requests the client cannot send or read: see raw-dispatch.ts); the returned function ends it.
   * A request's claim pending when the connection closes gets `closed()` when given, else a -32000 error
   * response.
   */
  claim(
    key: { id: string } | { progressToken: string },
    listener: (message: JSONRPCMessage) => void,
    closed?: () => void,
  ): () => void {
    const claimed = "id" in key ? `id:${key.id}` : `progress:${key.progressToken}`;
    this.claims.set(claimed, listener);
    if (closed === undefined) return () => this.claims.delete(claimed);
    this.onClosed.set(claimed, closed);
    return () => {
      this.claims.delete(claimed);
      this.onClosed.delete(claimed);
    };
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

/** The claim a message answers to: a response's id, or a progress notification's token. */
function claimKey(message: JSONRPCMessage): string | undefined {
  if ("id" in message && !("method" in message)) return `id:${String(message.id)}`;
  if ("method" in message && message.method === "notifications/progress")
    return `progress:${String((message.params as { progressToken?: unknown } | undefined)?.progressToken)}`;
  return undefined;
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
