import type { Client, JSONRPCMessage, Progress } from "@modelcontextprotocol/client";
import type { JsonRpcResponse, RawClientDispatch } from "@modelcontextprotocol/ext-tasks/client";
import type { ResponsesLast } from "./responses-last.ts";

/**
 * Requests Hangar sends to a provider past its SDK client, on the same connection: the task traffic of the
 * `io.modelcontextprotocol/tasks` extension (a `tools/call` answered with a task, `tasks/get`,
 * `tasks/cancel`), whose shapes the 2.4.0 client refuses on a 2026-07-28 connection ("Unsupported result
 * type 'task' for tools/call"; "Method 'tasks/get' is not supported by the negotiated protocol version").
 * Ids and progress tokens are strings of its own ("hangar-raw-N"), so they never meet the client's numbers.
 */
export interface RawChannel {
  /** Sends one request and resolves with its response (ext-tasks' `rawDispatch`); the signal cancels it. */
  readonly dispatch: RawClientDispatch;
  /** The capabilities the client declared, for the `_meta` framing of raw 2026-07-28 requests. */
  readonly clientCapabilities: Record<string, unknown>;
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
    dispatch: (request, options) =>
      new Promise<JsonRpcResponse>((resolve, reject) => {
        const signal = options?.signal;
        if (signal?.aborted) return reject(signal.reason);
        const id = `hangar-raw-${++next}`;
        const body = request as { method: string; params?: Record<string, unknown> };
        const onAbort = () => {
          release();
          void transport
            .send({
              jsonrpc: "2.0",
              method: "notifications/cancelled",
              params: { requestId: id, reason: String(signal?.reason) },
            })
            .catch(() => {});
          reject(signal?.reason);
        };
        const claimed = transport.claim({ id }, (message) => {
          release();
          resolve(responseOf(message));
        });
        const release = () => {
          claimed();
          signal?.removeEventListener("abort", onAbort);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        transport
          .send({ jsonrpc: "2.0", id, method: body.method, ...(body.params ? { params: body.params } : {}) })
          .catch((error: unknown) => {
            release();
            reject(error);
          });
      }),
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
