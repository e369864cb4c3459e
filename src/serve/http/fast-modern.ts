import type { JSONRPCMessage, ServerNotification } from "@modelcontextprotocol/server";
import { answerFastCall, FAST_ROUTE_LOG, fastCallOf, fastTarget } from "../fast-route.ts";
import type { FrontDeps } from "../front-deps.ts";
import type { RelayCodec } from "../input-relay.ts";
import type { Extra } from "../request-context.ts";
import { answerHeaders, FastAnswer } from "./fast-answer.ts";

/** What every fast-routed 2026 answer goes out with. */
const MODERN_HEADERS = answerHeaders(undefined, true);

/**
 * The response to a sessionless 2026-07-28 POST to `/mcp` when the fast route takes it: one plain
 * `tools/call` of an exposed provider tool (fast-route.ts: the envelope declares no capabilities, no
 * round fields), with the standard headers exactly as the SDK's handler wants them (`Accept` naming JSON
 * and event streams, JSON `Content-Type`, `MCP-Protocol-Version` 2026-07-28, `Mcp-Method` tools/call,
 * `Mcp-Name` the tool). Undefined for anything else, which goes to the SDK's handler unchanged (it
 * answers or refuses it as before). It runs after every check of the HTTP app (Host/Origin, token,
 * limits) and of the endpoint (`Mcp-Param-*`). The answer is the SDK's: JSON, or an event stream when
 * progress comes first; status 200, or 400 for a -32021 error; a client that closes its stream cancels
 * the call (upstream too), and so does aborting its controller, which is in `running` while the call runs
 * (the endpoint aborts them all at its end: one set rather than a listener per call). `deps.onUpstream` notes the call as the SDK path's 2026 calls are noted.
 */
export function fastModernAnswer(
  deps: FrontDeps,
  request: Request,
  body: unknown,
  relay: RelayCodec,
  running: Set<AbortController>,
): Promise<Response> | undefined {
  if (request.method !== "POST" || !standardHeaders(request.headers)) return undefined;
  const call = fastCallOf(body, "modern");
  if (call === undefined || request.headers.get("mcp-name") !== call.name) return undefined;
  const target = fastTarget(deps, call);
  if (target === undefined) return undefined;
  deps.logger.trace({ id: call.id, tool: call.name }, FAST_ROUTE_LOG);
  const answer = new FastAnswer(MODERN_HEADERS, true);
  const controller = new AbortController();
  const cancel = () => controller.abort(request.signal.reason);
  if (request.signal.aborted) cancel();
  else request.signal.addEventListener("abort", cancel, { once: true });
  running.add(controller);
  const extra: Extra = {
    signal: controller.signal,
    requestId: call.id,
    sessionId: undefined,
    _meta: call._meta,
    headers: request.headers,
    sendNotification: async (notification: ServerNotification) =>
      answer.send({ jsonrpc: "2.0", ...notification } as JSONRPCMessage),
  };
  void answerFastCall(deps, undefined, target, call, extra, relay)
    .catch((error: unknown) => deps.logger.debug({ err: String(error) }, "fast route: a 2026 call failed"))
    .then((message) => {
      request.signal.removeEventListener("abort", cancel);
      running.delete(controller);
      answer.end(message ?? undefined);
    });
  return answer.response;
}

/** Whether the request's standard headers are exactly what the SDK takes for a 2026 `tools/call`. */
function standardHeaders(headers: Headers): boolean {
  const accept = headers.get("accept");
  if (accept === null || !accept.includes("application/json") || !accept.includes("text/event-stream")) return false;
  if (headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() !== "application/json") return false;
  return headers.get("mcp-protocol-version") === "2026-07-28" && headers.get("mcp-method") === "tools/call";
}
