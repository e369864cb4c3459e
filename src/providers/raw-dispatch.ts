import {
  type Client,
  type JSONRPCErrorResponse,
  type JSONRPCMessage,
  type JSONRPCResultResponse,
  type Progress,
  SdkError,
  SdkErrorCode,
} from "@modelcontextprotocol/client";
import type { JsonRpcResponse, RawClientDispatch } from "@modelcontextprotocol/ext-tasks/client";
import { type ResponseReader, type ResponsesLast, StdioResponsesLast } from "./responses-last.ts";

/** A provider's answer to a raw request: a result or an error response. */
export type RawResponse = JSONRPCResultResponse | JSONRPCErrorResponse;

/**
 * Requests Hangar sends to a provider past its SDK client, on the same connection: the task traffic of the
 * `io.modelcontextprotocol/tasks` extension (a `tools/call` answered with a task, `tasks/get`,
 * `tasks/cancel`), whose shapes the 2.4.0 client refuses on a 2026-07-28 connection ("Unsupported result
 * type 'task' for tools/call"; "Method 'tasks/get' is not supported by the negotiated protocol version"),
 * and plain tool calls over stdio (see src/pool/raw-tool-call.ts). Ids and progress tokens are strings of
 * its own ("hangar-raw-N"), so they never meet the client's numbers.
 */
export interface RawChannel {
  /** Sends one request and resolves with its response (ext-tasks' `rawDispatch`); the signal cancels it. */
  readonly dispatch: RawClientDispatch;
  /** The capabilities the client declared, for the `_meta` framing of raw 2026-07-28 requests. */
  readonly clientCapabilities: Record<string, unknown>;
  /** Whether the connection is a child process's stdio (no HTTP session, per-request stream or headers). */
  readonly stdio: boolean;
  /**
   * Sends one request and resolves with the provider's response. When `signal` aborts first, the provider
   * is told (`notifications/cancelled`, its params' `_meta` being `cancelMeta` when given) and the promise
   * rejects with the signal's reason; when the connection closes first, it rejects with the SDK's
   * ConnectionClosed error, as the client's own requests do.
   */
  request(
    method: string,
    params: Record<string, unknown>,
    signal: AbortSignal,
    cancelMeta?: Record<string, unknown>,
  ): Promise<RawResponse>;
  /** A fresh progress token, and a listener for the progress sent on it until `stop()`. */
  progress(listener: (progress: Progress) => void): { readonly token: string; stop(): void };
}

const channels = new WeakMap<Client, RawChannel>();

/** The raw channel of a client connected by `connectClient`. */
export function rawChannelOf(client: Client): RawChannel | undefined {
  return channels.get(client);
}

/** Opens the raw channel over `transport`, the wrapper `client` is connected through. */
export function openRawChannel(
  client: Client,
  transport: ResponsesLast,
  clientCapabilities: Record<string, unknown>,
): RawChannel {
  let next = 0;
  const channel: RawChannel = {
    clientCapabilities,
    stdio: transport instanceof StdioResponsesLast,
    dispatch: (request, options) => {
      const { promise, resolve, reject } = Promise.withResolvers<JsonRpcResponse>();
      new RawExchange(transport, `hangar-raw-${++next}`, options?.signal, {
        answered: (message) => resolve(responseOf(message)),
        failed: reject,
      }).send(request as { method: string; params?: Record<string, unknown> });
      return promise;
    },
    request: (method, params, signal, cancelMeta) => {
      const { promise, resolve, reject } = Promise.withResolvers<RawResponse>();
      new RawExchange(transport, `hangar-raw-${++next}`, signal, {
        answered: resolve as (message: JSONRPCMessage) => void,
        failed: reject,
        closedFails: true,
        cancelMeta,
      }).send({ method, params });
      return promise;
    },
    progress(listener) {
      const token = `hangar-raw-progress-${++next}`;
      const stop = transport.claimProgress(token, (message) => {
        if (!("params" in message) || !message.params) return;
        const { progressToken: _, ...progress } = message.params as Record<string, unknown>;
        listener(progress as unknown as Progress);
      });
      return { token, stop };
    },
  };
  channels.set(client, channel);
  return channel;
}

/** Where a raw request's outcome goes; every field but the first two says its default. */
interface ExchangeOutcome {
  /** Its response. */
  readonly answered: (message: JSONRPCMessage) => void;
  /** Why it failed: its signal's reason, the send's error, or the connection's close (`closedFails`). */
  readonly failed: (reason: unknown) => void;
  /** A connection that closes first fails it with the SDK's ConnectionClosed (default false: answered with a -32000 error response). */
  readonly closedFails?: boolean;
  /** The `_meta` of the `notifications/cancelled` its signal's abort sends (default none). */
  readonly cancelMeta?: Record<string, unknown> | undefined;
}

/**
 * One raw request, from its send to its response, its signal's abort (the provider is told with
 * `notifications/cancelled`) or the connection's close: one object that reads the response and listens
 * for the abort itself, so a request costs no closures of its own.
 */
class RawExchange implements ResponseReader, EventListenerObject {
  constructor(
    private readonly transport: ResponsesLast,
    private readonly id: string,
    private readonly signal: AbortSignal | undefined,
    private readonly outcome: ExchangeOutcome,
  ) {}

  /** Sends the request with this exchange's id (or fails it at once when its signal has aborted). */
  send(body: { method: string; params?: Record<string, unknown> }): void {
    const signal = this.signal;
    if (signal?.aborted) {
      this.outcome.failed(signal.reason);
      return;
    }
    this.transport.claimResponse(this.id, this);
    // No `{ once: true }`: Bun parses an options object per call (~1.6 µs of a ~2.4 µs add and remove);
    // an abort fires once, and `release` removes the listener on every way out.
    signal?.addEventListener("abort", this);
    const message = body.params
      ? { jsonrpc: "2.0" as const, id: this.id, method: body.method, params: body.params }
      : { jsonrpc: "2.0" as const, id: this.id, method: body.method };
    this.transport.send(message).catch((error: unknown) => {
      this.release();
      this.outcome.failed(error);
    });
  }

  read(message: JSONRPCMessage): void {
    this.release();
    this.outcome.answered(message);
  }

  connectionClosed(): boolean {
    if (!this.outcome.closedFails) return false;
    this.release();
    this.outcome.failed(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed"));
    return true;
  }

  /** The signal aborted: the provider is told, and the request fails with the signal's reason. */
  handleEvent(): void {
    this.release();
    const reason = this.signal?.reason;
    const params = { requestId: this.id, reason: String(reason) };
    const cancelMeta = this.outcome.cancelMeta;
    void this.transport
      .send({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: cancelMeta ? { ...params, _meta: cancelMeta } : params,
      })
      .catch(() => {});
    this.outcome.failed(reason);
  }

  private release(): void {
    this.transport.releaseResponse(this.id);
    this.signal?.removeEventListener("abort", this);
  }
}

function responseOf(message: JSONRPCMessage): JsonRpcResponse {
  if ("error" in message) {
    const { code, message: text, data } = message.error;
    return { kind: "error", error: { code, message: text, ...(data === undefined ? {} : { data: data as never }) } };
  }
  return { kind: "result", result: ("result" in message ? message.result : {}) as never };
}
