import type { RequestId } from "@modelcontextprotocol/server";
import type { Gateway } from "../gateway/index.ts";
import type { Logger } from "../observability/log.ts";
import type { Catalog } from "./catalog.ts";
import type { TaskRelay } from "./task-relay.ts";

/** What the MCP front needs; one gateway and catalog may serve many sessions (HTTP). */
export interface FrontDeps {
  readonly gateway: Gateway;
  readonly catalog: Catalog;
  readonly logger: Logger;
  /** When Hangar started, on the gateway's clock (`gateway.clock.now()`), for `hangar_status`. */
  readonly startedAt: number;
  /**
   * Told that the client's request now runs something on provider `providerId`; returns the function
   * that says it stopped (default: nothing). Over HTTP it tells which session a provider's requests and
   * logs belong to.
   */
  readonly onUpstream?: (
    providerId: string,
    request: { readonly requestId: RequestId; readonly sessionId: string | undefined },
  ) => () => void;
  /** Relays provider tasks to 2026 clients that declare the tasks extension (default: calls are awaited). */
  readonly tasks?: TaskRelay;
}
