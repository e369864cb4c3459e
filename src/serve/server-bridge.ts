import type { Client, ClientCapabilities } from "@modelcontextprotocol/client";
import type { LoggingMessageNotification, Server } from "@modelcontextprotocol/server";
import { messageOf } from "../errors.ts";
import type { Logger } from "../observability/log.ts";
import { type ClientBridge, NO_SDK_TIMEOUT } from "../providers/index.ts";

/** Sampling parameters in the front's (v1) types; the upstream client's v2 types allow more in tool results. */
export type SamplingParams = Parameters<Server["createMessage"]>[0];

/** A provider's log message as the client in front sees it: named `<provider>` or `<provider>/<logger>`. */
export function providerLog(
  providerId: string,
  params: LoggingMessageNotification["params"],
): LoggingMessageNotification["params"] {
  const { logger, ...rest } = params;
  return { ...rest, logger: logger ? `${providerId}/${logger}` : providerId };
}

/**
 * The bridge of `hangar serve`: providers are offered sampling, elicitation and roots exactly when the
 * client in front declared them, their requests are forwarded to that client, and their log messages
 * reach it named after the provider. A provider that asks for something the client cannot do is
 * refused by the SDK with "method not found", and the rest goes on.
 */
export class ServerBridge implements ClientBridge {
  private readonly clients = new Set<Client>();
  /** Told when a provider says one of its resources changed (resource subscriptions). */
  onResourceUpdated: ((providerId: string, uri: string) => void) | undefined;

  private front: Server | undefined;

  /** `logger` gets what cannot be forwarded (default: nothing is logged). */
  constructor(private readonly logger?: Logger) {}

  /**
   * Forwards to `server` from now on: the instance `serveStdio` pinned for the connection (the bridge
   * exists before it, since the gateway needs the bridge and the instance needs the gateway).
   */
  use(server: Server): void {
    this.front = server;
  }

  /** The instance serving the client; providers ask only after the client made a request. */
  private get server(): Server {
    if (this.front === undefined) throw new Error("no client is connected yet");
    return this.front;
  }

  capabilities(): ClientCapabilities {
    const front = this.front?.getClientCapabilities() ?? {};
    return {
      ...(front.sampling ? { sampling: front.sampling } : {}),
      ...(front.elicitation ? { elicitation: front.elicitation } : {}),
      ...(front.roots ? { roots: { listChanged: true } } : {}),
    };
  }

  attach(providerId: string, client: Client): void {
    const can = this.capabilities();
    const options = (signal: AbortSignal) => ({ signal, timeout: NO_SDK_TIMEOUT });
    if (can.sampling)
      client.setRequestHandler("sampling/createMessage", (request, ctx) =>
        this.server.createMessage(request.params as SamplingParams, options(ctx.mcpReq.signal)),
      );
    if (can.elicitation)
      client.setRequestHandler("elicitation/create", (request, ctx) =>
        this.server.elicitInput(request.params, options(ctx.mcpReq.signal)),
      );
    if (can.roots)
      client.setRequestHandler("roots/list", (request, ctx) =>
        this.server.listRoots(request.params, options(ctx.mcpReq.signal)),
      );
    client.setNotificationHandler("notifications/message", async (notification) => {
      await this.server
        .sendLoggingMessage(providerLog(providerId, notification.params))
        .catch((error: unknown) =>
          this.logger?.debug({ provider: providerId, err: messageOf(error) }, "cannot forward a log message"),
        );
    });
    client.setNotificationHandler("notifications/resources/updated", async (notification) =>
      this.onResourceUpdated?.(providerId, notification.params.uri),
    );
    if (can.roots) this.clients.add(client);
  }

  /** Tells every connected provider that was offered roots that the client's roots changed. */
  async rootsChanged(): Promise<void> {
    for (const client of this.clients) {
      if (client.transport === undefined) this.clients.delete(client);
      else await client.sendRootsListChanged().catch(() => {});
    }
  }
}
