import type { JSONRPCMessage, RequestId, Server, ServerNotification, Transport } from "@modelcontextprotocol/server";
import { CancelledError } from "../errors.ts";
import { AbortGroup } from "../scheduler/index.ts";
import type { Era } from "./era.ts";
import { answerFastCall, FAST_ROUTE_LOG, type FastCall, FastRequest, fastCallOf, fastTarget } from "./fast-route.ts";
import type { FrontDeps } from "./front-deps.ts";
import type { RelayCodec } from "./input-relay.ts";
import { InterceptingTransport } from "./intercepting-transport.ts";
import type { Target } from "./names.ts";

/**
 * A stdio-style connection (stdin/stdout, a shared daemon's client socket) with the fast route in front
 * of the SDK: once a 2025 client has initialized, or once the SDK has pinned the connection to the 2026
 * era, its plain `tools/call` of an exposed provider tool is answered here (fast-route.ts) without the
 * SDK server's parsing, validation and per-request bookkeeping; every other message (and any call the
 * fast route does not plainly cover) goes on to the SDK unchanged. A `notifications/cancelled` for a
 * fast-routed call aborts it (upstream too) and gets no answer; closing the connection aborts every
 * fast-routed call still running. The wrapped transport
 * sees every message and every answer, so its pending-request count (shutdown drain) covers both paths.
 */
export class FastRouteTransport extends InterceptingTransport {
  private server: Server | undefined;
  private legacy = false;
  private initialized = false;
  private readonly running = new Map<RequestId, AbortGroup>();

  /** `relay` must be the one the connection's instances seal `requestState`s with (their factory's). */
  constructor(
    inner: Transport,
    private readonly deps: FrontDeps,
    private readonly relay?: RelayCodec,
  ) {
    super(inner);
    this.tracing = deps.logger.isLevelEnabled("trace");
  }

  /** Whether the logger writes trace lines (the line each fast-routed call would log is built only then). */
  private readonly tracing: boolean;

  /** The instance the SDK pinned for the connection (the last one built), and its era. */
  use(server: Server, era: Era): void {
    this.server = server;
    this.legacy = era === "legacy";
  }

  /** Takes `message` when it is the fast route's: a plain call of an exposed tool, or a cancellation of one. */
  protected intercept(message: JSONRPCMessage): boolean {
    if (!("method" in message)) return false;
    if (message.method === "tools/call") {
      const server = this.ready();
      const call = server && fastCallOf(message, this.legacy ? "legacy" : "modern");
      const target = call && fastTarget(this.deps, call);
      if (!server || !call || !target) return false;
      if (this.tracing) this.deps.logger.trace({ id: call.id, tool: call.name }, FAST_ROUTE_LOG);
      void this.run(server, target, call);
      return true;
    }
    if (message.method === "notifications/initialized") this.initialized = true;
    else if (message.method === "notifications/cancelled") {
      const params = message.params as { requestId?: RequestId; reason?: unknown } | undefined;
      const cancel = params?.requestId === undefined ? undefined : this.running.get(params.requestId);
      if (cancel === undefined) return false;
      cancel.abort(params?.reason);
      return true;
    }
    return false;
  }

  /** The instance serving the connection: a 2026 one, or a 2025 one once its client initialized. */
  private ready(): Server | undefined {
    const server = this.server;
    if (!this.legacy) return server;
    return this.initialized && server?.getClientVersion() !== undefined ? server : undefined;
  }

  private async run(server: Server, target: Target, call: FastCall): Promise<void> {
    // The call's cancellation, as a group: the call follows it with no AbortController or listener of
    // its own unless something reads `extra.signal`.
    const cancel = new AbortGroup();
    this.running.set(call.id, cancel);
    const extra = new FastRequest(cancel, call, this.notify);
    try {
      const answer = await answerFastCall(this.deps, server, target, call, extra, this.relay);
      if (answer !== undefined) await this.inner.send(answer);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    } finally {
      if (this.running.get(call.id) === cancel) this.running.delete(call.id);
    }
  }

  /** Sends a notification to the client (a fast-routed call's progress). */
  private readonly notify = (notification: ServerNotification): Promise<void> =>
    this.inner.send({ jsonrpc: "2.0", ...notification } as JSONRPCMessage);

  protected abortAll(): void {
    const closed = new CancelledError("The client's connection closed");
    for (const cancel of this.running.values()) cancel.abort(closed);
    this.running.clear();
  }
}
