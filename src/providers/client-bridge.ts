import type { Client, ClientCapabilities } from "@modelcontextprotocol/client";

/**
 * What stands in front of Hangar (the MCP client of `hangar serve`), as seen by Hangar's upstream
 * clients: the capabilities they may declare to providers, and where providers' own requests
 * (sampling, elicitation, roots) and log messages go.
 */
export interface ClientBridge {
  /** The capabilities to declare to a provider now (what the client in front declared); default none. */
  capabilities(): ClientCapabilities;
  /** Wires a new upstream client, before it connects: request handlers and notification handlers. */
  attach(providerId: string, client: Client): void;
}

/** No client in front (`hangar call`, `hangar bench`): providers are told Hangar can do nothing extra. */
export const noBridge: ClientBridge = { capabilities: () => ({}), attach: () => {} };
