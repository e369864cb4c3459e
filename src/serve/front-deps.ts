import type { RequestId } from "@modelcontextprotocol/server";
import type { Logger } from "../observability/log.ts";
import type { FrontHangar } from "./front-hangar.ts";
import type { TaskRelay } from "./task-relay.ts";

/** What the MCP front needs; one Hangar (its gateway and catalog) may serve many sessions (HTTP). */
export interface FrontDeps {
  /** The library's Hangar: batches go through its API; its gateway and catalog serve the rest. */
  readonly hangar: FrontHangar;
  readonly logger: Logger;
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
