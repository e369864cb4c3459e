import type { Client } from "@modelcontextprotocol/client";
import type { EraOutcome, EraPlan } from "./era.ts";

/** A live MCP connection to one provider, past its opening (`initialize`, or `server/discover`). */
export interface Connection {
  /** The SDK client, already connected. */
  readonly client: Client;
  /** The era the connection speaks, and the verdict worth remembering for the next start, if any. */
  readonly era: EraOutcome;
  /** The provider's process id, for stdio and docker providers. */
  readonly pid: number | undefined;
  /** The last lines the provider wrote to stderr ("" for remote providers). */
  stderrTail(): string;
  /** Why the connection ended, if it ended by itself (process exit, protocol violation, lost session). */
  closeReason(): string | undefined;
  /** Registers a listener called once when the connection ends, for any reason. */
  onClose(listener: () => void): void;
  /** Ends the connection; for a process: stdin, then SIGTERM, then SIGKILL of its process group. */
  close(): Promise<void>;
}

/** How a provider is reached; one implementation per transport kind (stdio, docker, http). */
export interface Driver {
  readonly kind: "stdio" | "docker" | "http";
  /**
   * Starts (or reaches) the provider and opens the connection in the era `plan` says (a remembered
   * verdict, or a probe); aborting `signal` undoes any partial start.
   */
  connect(signal: AbortSignal, plan: EraPlan): Promise<Connection>;
}
