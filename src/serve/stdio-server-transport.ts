import { type JSONRPCMessage, ProtocolErrorCode, type Transport } from "@modelcontextprotocol/server";
import type { TransportObserver } from "./early/answer-recorder.ts";
import { type EarlyHandover, REPLAYED_INITIALIZE_ID } from "./early/early-reader.ts";
import { checkLine } from "./jsonrpc-check.ts";

/** Options of `StdioServerTransport`; every field says its default. */
export interface StdioServerTransportOptions {
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  /** The longest message accepted, in bytes (default 64 MiB); a longer one is answered with an error and skipped. */
  readonly maxMessageBytes?: number;
  /** Called once when stdin ends (the client closed it). */
  readonly onEnd?: () => void;
  /**
   * Takes the connection over from the early reader at start (default: none): replays the client's
   * handshake silently, then reads what the early reader left, then stdin.
   */
  readonly handover?: () => EarlyHandover;
  /** Told every message read and written (default: nobody; the early answers' recorder). */
  readonly observer?: TransportObserver;
}

/**
 * MCP over this process's stdin and stdout, one JSON-RPC message per line. Unlike the SDK's transport,
 * a line that is not JSON, not a JSON-RPC message, a batch, too large, or a known request with bad
 * params is answered with a JSON-RPC error (Parse error, Invalid Request, Invalid params) and skipped,
 * and the server keeps serving.
 */
export class StdioServerTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  private readonly stdin: NodeJS.ReadableStream;
  private readonly stdout: NodeJS.WritableStream;
  private readonly maxBytes: number;
  private chunks: Buffer[] = [];
  private size = 0;
  private oversized = false;
  private closed = false;
  /** Ids of requests received and not answered yet (a `subscriptions/listen` stream is not waited for). */
  private readonly pending = new Set<string | number>();
  private whenIdle: (() => void) | undefined;
  /** Lines queued in this turn, written together by `drainOutbox`. */
  private outbox: string[] = [];
  /** Settles once the queued lines are handed to the OS: one promise for every write of a turn. */
  private written: { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Ids of the requests answered by the queued lines: no longer pending once they are written. */
  private answers: (string | number)[] = [];

  constructor(private readonly options: StdioServerTransportOptions = {}) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
    this.maxBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
  }

  async start(): Promise<void> {
    const handover = this.options.handover?.();
    if (handover === undefined || !handover.ended) {
      this.stdin.on("data", this.onData);
      this.stdin.on("end", this.onEnd);
    }
    this.stdin.on("error", this.onError);
    if (handover === undefined) return;
    for (const line of handover.replay) this.onData(`${line}\n`);
    this.onData(handover.rest);
    if (handover.ended) this.onEnd();
  }

  send(message: JSONRPCMessage): Promise<void> {
    this.options.observer?.sent(message);
    // The answer to the replayed handshake: the client got it from the early reader.
    if ("id" in message && message.id === REPLAYED_INITIALIZE_ID && ("result" in message || "error" in message)) {
      this.answered(message.id);
      return Promise.resolve();
    }
    const written = this.write(`${JSON.stringify(message)}\n`);
    if (("result" in message || "error" in message) && "id" in message) {
      const id: unknown = message.id;
      if (typeof id === "string" || typeof id === "number") this.answers.push(id);
    }
    return written;
  }

  private answered(id: unknown): void {
    if ((typeof id === "string" || typeof id === "number") && this.pending.delete(id) && this.pending.size === 0)
      this.whenIdle?.();
  }

  /** Resolves once every request received so far has been answered and the answer written. */
  idle(): Promise<void> {
    if (this.pending.size === 0) return this.flush();
    return new Promise((resolve) => {
      this.whenIdle = () => {
        if (this.pending.size === 0) resolve();
      };
    });
  }

  /**
   * Resolves once everything written so far has been handed to the OS, or refused by it: a write that
   * failed (EPIPE, the client closed its end) rejects its sender's promise, never a flush, so shutdown
   * after stdin's end goes on to stop the providers instead of throwing past them.
   */
  flush(): Promise<void> {
    return this.write("").catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off("data", this.onData);
    this.stdin.off("end", this.onEnd);
    this.stdin.off("error", this.onError);
    this.stdin.pause();
    this.chunks = [];
    this.onclose?.();
  }

  /**
   * Queues `text`; everything queued until the event loop's next check phase goes out in one write (one
   * syscall under load): answers whose provider replies arrived in one read finish in the same turn,
   * each after a chain of promise jobs, so draining after the microtasks would write them one by one.
   */
  private write(text: string): Promise<void> {
    this.outbox.push(text);
    if (this.written === undefined) {
      this.written = Promise.withResolvers<void>();
      setImmediate(this.drainOutbox);
    }
    return this.written.promise;
  }

  private readonly drainOutbox = () => {
    const text = this.outbox.length === 1 ? this.outbox[0]! : this.outbox.join("");
    const written = this.written!;
    const answers = this.answers;
    this.outbox = [];
    this.written = undefined;
    this.answers = [];
    this.stdout.write(text, (error) => {
      if (error) written.reject(error);
      else written.resolve();
      for (const id of answers) this.answered(id);
    });
  };

  private readonly onEnd = () => this.options.onEnd?.();
  private readonly onError = (error: Error) => this.onerror?.(error);

  private readonly onData = (chunk: Buffer | string) => {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10, start)) {
      // A line inside this chunk is decoded straight from it; one that spans chunks is joined first.
      if (this.size === 0 && !this.oversized && newline - start <= this.maxBytes)
        this.line(data.toString("utf8", start, newline));
      else {
        this.append(data.subarray(start, newline));
        this.endLine();
      }
      start = newline + 1;
    }
    this.append(data.subarray(start));
  };

  private append(part: Buffer): void {
    if (this.oversized || part.length === 0) return;
    this.size += part.length;
    if (this.size > this.maxBytes) {
      this.oversized = true;
      this.chunks = [];
    } else this.chunks.push(part);
  }

  /** Ends the line whose parts `append` kept: joined and decoded once its newline came. */
  private endLine(): void {
    const oversized = this.oversized;
    const text =
      this.chunks.length === 1 ? this.chunks[0]!.toString("utf8") : Buffer.concat(this.chunks).toString("utf8");
    this.chunks = [];
    this.size = 0;
    this.oversized = false;
    if (oversized) {
      this.reject(null, ProtocolErrorCode.InvalidRequest, `Message too large: the limit is ${this.maxBytes} bytes`);
      return;
    }
    this.line(text);
  }

  /** One line read (without its newline). */
  private line(text: string): void {
    const line = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    // A message starts with `{` (nothing to trim); anything else may be a blank line.
    if (line.charCodeAt(0) !== 0x7b && line.trim() === "") return;
    const checked = checkLine(line);
    if (!checked.ok) {
      this.reject(checked.id, checked.code, checked.error);
      return;
    }
    const message = checked.message;
    if ("method" in message && "id" in message) {
      if (message.method !== "subscriptions/listen") this.pending.add(message.id);
    }
    // A cancelled request gets no response (MCP): stop waiting for one.
    else if ("method" in message && message.method === "notifications/cancelled")
      this.answered(message.params?.requestId);
    this.options.observer?.received(message);
    try {
      this.onmessage?.(message);
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  private reject(id: string | number | null, code: number, message: string): void {
    this.onerror?.(new Error(message));
    void this.write(`${JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } })}\n`).catch(() => {});
  }
}
