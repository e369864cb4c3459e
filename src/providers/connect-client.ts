import { Client, SdkError, SdkErrorCode, type Transport } from "@modelcontextprotocol/client";
import { VERSION } from "../version.ts";
import { type ClientBridge, noBridge } from "./client-bridge.ts";
import type { EraOutcome, EraPlan } from "./era.ts";
import { openRawChannel } from "./raw-dispatch.ts";
import { responsesLast, StdioResponsesLast } from "./responses-last.ts";

/**
 * The SDK's per-request timeout, set out of the way: Hangar ends requests with its own signals (call
 * deadlines, startup timeouts, cancellation), and a person may take long to answer a forwarded request.
 */
export const NO_SDK_TIMEOUT = 2 ** 31 - 1;

/** Who is connecting: the provider's id and the bridge to the client in front (default none). */
export interface ConnectOptions {
  readonly providerId: string;
  readonly bridge?: ClientBridge;
}

/** A client past its opening (`initialize`, or `server/discover` in the 2026 era), and what it learned. */
export interface ConnectedClient extends EraOutcome {
  readonly client: Client;
}

/**
 * Creates Hangar's MCP client and opens the connection over `transport` (wrapped in `ResponsesLast`) in
 * the newest era the provider offers: with `plan.prior` it sends no probe, else it probes with
 * `server/discover` (`versionNegotiation: auto`) and falls back to `initialize`. Closes the transport on
 * failure.
 */
export async function connectClient(
  transport: Transport,
  signal: AbortSignal,
  plan: EraPlan,
  options?: ConnectOptions,
): Promise<ConnectedClient> {
  const bridge = options?.bridge ?? noBridge;
  const client = new Client(
    { name: "hangar", version: VERSION },
    {
      capabilities: bridge.capabilities(),
      versionNegotiation: { mode: "auto", probe: { timeoutMs: plan.probeTimeoutMs } },
    },
  );
  bridge.attach(options?.providerId ?? "", client);
  const wrapped = responsesLast(transport);
  openRawChannel(client, wrapped, bridge.capabilities() as Record<string, unknown>);
  const onAbort = () => void transport.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    signal.throwIfAborted();
    const prior = plan.prior;
    await client.connect(wrapped, { signal, timeout: NO_SDK_TIMEOUT, ...(prior ? { prior } : {}) });
    const era = client.getProtocolEra() === "modern" ? "modern" : "legacy";
    const discover = client.getDiscoverResult();
    // Only a verdict the provider gave is worth keeping. Over stdio a probe nobody answered says nothing
    // (a slow start); over HTTP an unanswered probe fails the connect, and a refusal comes as an HTTP error.
    const heard = wrapped.discoverProbe === "answered" || !(wrapped instanceof StdioResponsesLast);
    const learned =
      prior !== undefined || wrapped.discoverProbe === "none" || !heard
        ? undefined
        : era === "modern" && discover
          ? { kind: "modern" as const, discover }
          : { kind: "legacy" as const };
    return { client, era, learned };
  } catch (error) {
    await transport.close().catch(() => {});
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Whether a connect failed because the provider closed the connection while being probed with
 * `server/discover` (servers that exit on any request before `initialize`): it is legacy, and a fresh
 * process is to be opened with a legacy verdict.
 */
export function closedDuringProbe(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed;
}

/** Wraps a listener list so each listener runs once, when `fire` is first called. */
export function closeListeners(): { add(listener: () => void): void; fire(): void } {
  const listeners: (() => void)[] = [];
  let fired = false;
  return {
    add(listener) {
      if (fired) queueMicrotask(listener);
      else listeners.push(listener);
    },
    fire() {
      if (fired) return;
      fired = true;
      for (const listener of listeners.splice(0)) listener();
    },
  };
}
