import {
  type Client,
  type ClientCapabilities,
  type LoggingLevel,
  ProtocolError,
  ProtocolErrorCode,
  type RequestId,
} from "@modelcontextprotocol/client";
import type { RequestOptions, Server } from "@modelcontextprotocol/server";
import { messageOf } from "../../errors.ts";
import type { Logger } from "../../observability/log.ts";
import { type ClientBridge, NO_SDK_TIMEOUT } from "../../providers/index.ts";
import { providerLog, type SamplingParams } from "../server-bridge.ts";

/** An HTTP session that can take a provider's request now: the one whose request runs on that provider. */
export interface ActiveSession {
  readonly server: Server;
  readonly sessionId: string | undefined;
  /** The client's request running on the provider; what the provider asks travels on its stream. */
  readonly requestId: RequestId;
  /** The log level the client set, if it set one. */
  readonly logLevel: LoggingLevel | undefined;
}

/** Where the bridge finds sessions (McpSessions fits it). */
export interface SessionPicker {
  /** The session whose request runs on `providerId` (the most recent such request when several do), if any. */
  active(providerId: string): ActiveSession | undefined;
  /** A provider's resource changed: the sessions that subscribed to it are told. */
  resourceUpdated(providerId: string, uri: string): void;
  /** Whether the most recent request running on `providerId` is a 2026-07-28 one (no session to ask). */
  modernLatest?(providerId: string): boolean;
}

const LEVELS: readonly LoggingLevel[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
];

/**
 * The bridge of `hangar serve --http`, where one provider connection serves every session. Providers
 * are offered sampling and elicitation. A provider's sampling or elicitation request, and its log
 * messages, go only to the session whose request runs on that provider (the most recent such request
 * when several do), on that request's stream: the session whose call made the provider ask. With no
 * request running on the provider, or a client that did not declare the capability, the request is
 * refused and the log dropped; no other session ever sees them. A provider's `resources/updated` goes to
 * the sessions that subscribed to the resource.
 */
export class SessionBridge implements ClientBridge {
  private picker: SessionPicker | undefined;

  /** `logger` gets what cannot be forwarded (default: nothing is logged). */
  constructor(private readonly logger?: Logger) {}

  /** Sets where sessions are found (the sessions exist after the gateway). */
  use(picker: SessionPicker): void {
    this.picker = picker;
  }

  /** Sampling and elicitation, always: the provider outlives the session that started it, and a later client may answer. */
  capabilities(): ClientCapabilities {
    return { sampling: {}, elicitation: {} };
  }

  attach(providerId: string, client: Client): void {
    client.setRequestHandler("sampling/createMessage", (request, ctx) =>
      this.forward("sampling", providerId, ctx.mcpReq.signal, (server, options) =>
        server.createMessage(request.params as SamplingParams, options),
      ),
    );
    client.setRequestHandler("elicitation/create", (request, ctx) =>
      this.forward("elicitation", providerId, ctx.mcpReq.signal, (server, options) =>
        server.elicitInput(request.params, options),
      ),
    );
    client.setNotificationHandler("notifications/resources/updated", async (notification) =>
      this.picker?.resourceUpdated(providerId, notification.params.uri),
    );
    client.setNotificationHandler("notifications/message", async (notification) => {
      const session = this.picker?.active(providerId);
      const { level } = notification.params;
      if (session === undefined || LEVELS.indexOf(level) < LEVELS.indexOf(session.logLevel ?? "debug")) return;
      await session.server
        .notification(
          { method: "notifications/message", params: providerLog(providerId, notification.params) },
          { relatedRequestId: session.requestId },
        )
        .catch((error: unknown) =>
          this.logger?.debug({ provider: providerId, err: messageOf(error) }, "cannot forward a log message"),
        );
    });
  }

  /** Sends a provider's request to the session whose request runs on it, on that request's stream; refuses when there is none that can answer. */
  private forward<T>(
    what: "sampling" | "elicitation",
    providerId: string,
    signal: AbortSignal,
    send: (server: Server, options: RequestOptions) => Promise<T>,
  ): Promise<T> {
    const session = this.picker?.active(providerId);
    if (session === undefined && this.picker?.modernLatest?.(providerId))
      throw new ProtocolError(
        ProtocolErrorCode.InvalidRequest,
        `Provider "${providerId}" asked for ${what} during a 2026-07-28 client's request, which Hangar cannot pass to that client`,
      );
    if (session === undefined)
      throw new ProtocolError(
        ProtocolErrorCode.InvalidRequest,
        `Provider "${providerId}" asked for ${what}, but no HTTP client has a request running on it to answer`,
      );
    if (session.server.getClientCapabilities()?.[what] === undefined)
      throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `The HTTP client did not declare ${what}`);
    return send(session.server, { signal, timeout: NO_SDK_TIMEOUT, relatedRequestId: session.requestId });
  }
}
