import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type LoggingLevel,
  type RequestId,
} from "@modelcontextprotocol/sdk/types.js";

/** Order of requests over every session, so the most recent one can be told apart. */
let sequence = 0;

/** A request of the client still waiting for its answer. */
export interface PendingRequest {
  readonly id: RequestId;
  /** Larger is more recent, across all sessions. */
  readonly order: number;
}

/**
 * Follows the JSON-RPC traffic of one session's transport: which of the client's requests are still
 * running, and the log level the client asked for. Installed after `server.connect(transport)`.
 */
export class RequestTracker {
  private readonly pending = new Map<RequestId, number>();
  /** The level of `logging/setLevel`, once the client sent one. */
  logLevel: LoggingLevel | undefined;

  /** Wraps `transport`'s message handler and `send` to see requests arrive and answers leave. */
  watch(transport: Transport): void {
    const receive = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if (isJSONRPCRequest(message)) {
        this.pending.set(message.id, ++sequence);
        if (message.method === "logging/setLevel")
          this.logLevel = (message.params as { level?: LoggingLevel } | undefined)?.level;
      }
      receive?.(message, extra);
    };
    const send = transport.send.bind(transport);
    transport.send = (message: JSONRPCMessage, options) => {
      if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
        if (message.id !== undefined) this.pending.delete(message.id);
      }
      return send(message, options);
    };
  }

  /** The most recent request still running, if any. */
  latest(): PendingRequest | undefined {
    let found: PendingRequest | undefined;
    for (const [id, order] of this.pending) if (found === undefined || order > found.order) found = { id, order };
    return found;
  }
}
