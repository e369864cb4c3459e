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
import { type ResponsesLast, StdioResponsesLast } from "./responses-last.ts";

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
  /**
   * Sends a request with a fresh id; `answered` gets its response. Without `closed`, a connection that
   * closes first answers it with a -32000 error response.
   */
  const exchange = (
    body: { method: string; params?: Record<string, unknown> },
    signal: AbortSignal | undefined,
    answered: (message: JSONRPCMessage) => void,
    failed: (reason: unknown) => void,
    closed?: () => void,
    cancelMeta?: Record<string, unknown>,
  ): void => {
    if (signal?.aborted) {
      failed(signal.reason);
      return;
    }
    const id = `hangar-raw-${++next}`;
    const onAbort = () => {
      release();
      const params = { requestId: id, reason: String(signal?.reason) };
      void transport
        .send({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: cancelMeta ? { ...params, _meta: cancelMeta } : params,
        })
        .catch(() => {});
      failed(signal?.reason);
    };
    const claimed = transport.claim(
      { id },
      (message) => {
        release();
        answered(message);
      },
      closed &&
        (() => {
          release();
          closed();
        }),
    );
    const release = () => {
      claimed();
      signal?.removeEventListener("abort", onAbort);
    };
    // No `{ once: true }`: Bun parses an options object per call (~1.6 µs of a ~2.4 µs add and remove);
    // an abort fires once, and `release` removes the listener on every way out.
    signal?.addEventListener("abort", onAbort);
    transport
      .send({ jsonrpc: "2.0", id, method: body.method, ...(body.params ? { params: body.params } : {}) })
      .catch((error: unknown) => {
        release();
        failed(error);
      });
  };
  const channel: RawChannel = {
    clientCapabilities,
    stdio: transport instanceof StdioResponsesLast,
    dispatch: (request, options) =>
      new Promise<JsonRpcResponse>((resolve, reject) =>
        exchange(
          request as { method: string; params?: Record<string, unknown> },
          options?.signal,
          (message) => resolve(responseOf(message)),
          reject,
        ),
      ),
    request: (method, params, signal, cancelMeta) =>
      new Promise<RawResponse>((resolve, reject) =>
        exchange(
          { method, params },
          signal,
          (message) => resolve(message as RawResponse),
          reject,
          () => reject(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed")),
          cancelMeta,
        ),
      ),
    progress(listener) {
      const token = `hangar-raw-progress-${++next}`;
      const stop = transport.claim({ progressToken: token }, (message) => {
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

function responseOf(message: JSONRPCMessage): JsonRpcResponse {
  if ("error" in message) {
    const { code, message: text, data } = message.error;
    return { kind: "error", error: { code, message: text, ...(data === undefined ? {} : { data: data as never }) } };
  }
  return { kind: "result", result: ("result" in message ? message.result : {}) as never };
}
