import {
  isInitializeRequest,
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { SealedSession } from "./session-seal.ts";

/** The longest sealed id Hangar hands out: a header load balancers pass (HAProxy and nginx take 8 KiB lines). */
export const MAX_SEALED_ID_CHARS = 4096;

/** The first protocol revision of the sessionless era; sessions speak the ones before it. */
const FIRST_MODERN = "2026-07-28";

/**
 * What a sealed id of the session an `initialize` POST opens carries: the version the SDK's Server will
 * negotiate (its rule: the client's if it is a 2025-era version it speaks, else its newest), the
 * client's capabilities and info. `undefined` when the body holds no initialize.
 */
export function sessionToSeal(body: unknown): Omit<SealedSession, "createdAt"> | undefined {
  const messages = Array.isArray(body) ? body : [body];
  const initialize = messages.find((message) => isInitializeRequest(message as JSONRPCMessage));
  if (initialize === undefined || !isInitializeRequest(initialize)) return undefined;
  const { protocolVersion, capabilities, clientInfo } = initialize.params;
  return { protocolVersion: negotiatedVersion(protocolVersion), capabilities, clientInfo };
}

/** The 2025-era version the SDK's Server answers an `initialize` asking for `requested` with. */
export function negotiatedVersion(requested: string): string {
  const legacy = SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version < FIRST_MODERN);
  return legacy.includes(requested) ? requested : (legacy[0] ?? LATEST_PROTOCOL_VERSION);
}

const REPLAY_URL = "http://hangar.invalid/mcp";
const REPLAY_HEADERS = { accept: "application/json, text/event-stream", "content-type": "application/json" };

/**
 * Brings a fresh transport (whose `sessionIdGenerator` returns the sealed id) and the server connected
 * to it to where the client's own `initialize` left the session on the replica that opened it. The v2
 * transport has no public way to start initialized, and the Server none to take a client's identity, so
 * this replays what the client sent: a synthetic `initialize` with the sealed version, capabilities and
 * info (the transport takes the session id, the Server records the client and negotiates the same
 * version), whose answer is read and dropped, then `notifications/initialized`. Nothing reaches the
 * client. Throws when the server does not agree to the sealed version (a replica of another build).
 */
export async function replayInitialize(
  transport: WebStandardStreamableHTTPServerTransport,
  session: SealedSession,
  negotiated: () => string | undefined,
): Promise<void> {
  const { protocolVersion, capabilities, clientInfo } = session;
  const answer = await transport.handleRequest(new Request(REPLAY_URL, { method: "POST", headers: REPLAY_HEADERS }), {
    parsedBody: {
      jsonrpc: "2.0",
      id: "hangar-restore",
      method: "initialize",
      params: { protocolVersion, capabilities, clientInfo },
    },
  });
  const text = await answer.text();
  if (!answer.ok || transport.sessionId === undefined)
    throw new Error(`the replayed initialize was refused (${answer.status}: ${text.slice(0, 200)})`);
  if (negotiated() !== protocolVersion)
    throw new Error(`this replica does not speak the session's protocol version ${protocolVersion}`);
  const headers = { ...REPLAY_HEADERS, "mcp-session-id": transport.sessionId, "mcp-protocol-version": protocolVersion };
  const initialized = await transport.handleRequest(new Request(REPLAY_URL, { method: "POST", headers }), {
    parsedBody: { jsonrpc: "2.0", method: "notifications/initialized" },
  });
  await initialized.body?.cancel();
}

/**
 * `response` with a body that calls `done` once, when it has been read to its end, failed, or been
 * cancelled (the client went away): how the sessions count a live stream.
 */
export function onBodyEnd(response: Response, done: () => void): Response {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    done();
  };
  if (response.body === null) {
    once();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (end) {
          once();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        once();
        controller.error(error);
      }
    },
    cancel(reason) {
      once();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
