import { extractWWWAuthenticateParams, type FetchLike, LATEST_PROTOCOL_VERSION } from "@modelcontextprotocol/client";
import { VERSION } from "../version.ts";

/** What a server's 401 challenge said: where its RFC 9728 metadata is, and the scope it wants. */
export interface Challenge {
  readonly resourceMetadataUrl?: URL;
  readonly scope?: string;
}

/**
 * Asks the MCP server at `serverUrl` for its `WWW-Authenticate` challenge by sending an `initialize`
 * without a token, as a client's first request would: a server may publish its protected resource
 * metadata only there (not at the well-known path), and name the scope it needs. Empty when the server
 * answers otherwise or cannot be reached (discovery then tries the well-known paths).
 */
export async function probeChallenge(
  serverUrl: string,
  fetchFn: FetchLike = fetch,
  signal?: AbortSignal,
): Promise<Challenge> {
  try {
    const response = await fetchFn(serverUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: {
          protocolVersion: LATEST_PROTOCOL_VERSION,
          capabilities: {},
          clientInfo: { name: "hangar", version: VERSION },
        },
      }),
      ...(signal ? { signal } : {}),
    });
    await response.body?.cancel();
    if (response.status !== 401 || !response.headers.has("www-authenticate")) return {};
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
  } catch {
    return {};
  }
}
