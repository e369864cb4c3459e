import { createHash } from "node:crypto";
import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createRequestStateCodec,
  type InputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { InputRound } from "../pool/index.ts";
import type { Target } from "./names.ts";

/**
 * What Hangar seals into the `requestState` it gives a 2026-07-28 client whose call a provider answered
 * with `input_required`: whose round it is (provider and tool) and the provider's own state, so the
 * client's answers go back to that provider only.
 */
export interface RelayState {
  readonly provider: string;
  readonly tool: string;
  /** The provider's own `requestState`, as it sent it. */
  readonly upstream?: string;
}

/** The codec of Hangar's `requestState`s (HMAC-sealed, bound to the method, valid 10 minutes). */
export type RelayCodec = RequestStateCodec<RelayState>;

/**
 * A codec for Hangar's `requestState`s. With a `secret` (over HTTP: the bearer token) every Hangar
 * process that has it accepts the others' states, so a round may reach any replica; without one the
 * key is this process's own (stdio, where one process serves every round).
 */
export function relayCodec(secret?: string): RelayCodec {
  const key =
    secret === undefined
      ? crypto.getRandomValues(new Uint8Array(32))
      : new Uint8Array(createHash("sha256").update(`hangar requestState\0${secret}`).digest());
  return createRequestStateCodec<RelayState>({ key, ttlSeconds: 600, bind: (ctx) => ctx.mcpReq.method });
}

/**
 * The round a 2026-07-28 request is in for the tool behind `target`: the client's capabilities and
 * answers, and the provider's state from the round before. A `requestState` Hangar minted for another
 * provider's or tool's call is refused (the SDK has already refused one that is forged or expired).
 */
export function inputRoundOf(ctx: ServerContext, target: Target): InputRound {
  const state = ctx.mcpReq.requestState<RelayState>();
  if (state !== undefined && (state.provider !== target.providerId || state.tool !== target.name))
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      "Invalid requestState: it was issued for another tool's call",
      { reason: "invalid_request_state" },
    );
  const { inputResponses } = ctx.mcpReq;
  return {
    clientCapabilities: clientCapabilitiesOf(ctx),
    ...(inputResponses === undefined ? {} : { inputResponses }),
    ...(state?.upstream === undefined ? {} : { requestState: state.upstream }),
  };
}

/** A provider's `input_required` as Hangar's own: the same input requests, its state sealed in Hangar's. */
export async function relayedInputRequired(
  answer: InputRequiredResult,
  target: Target,
  codec: RelayCodec,
  ctx: ServerContext,
): Promise<InputRequiredResult> {
  const state: RelayState = {
    provider: target.providerId,
    tool: target.name,
    ...(answer.requestState === undefined ? {} : { upstream: answer.requestState }),
  };
  return {
    resultType: "input_required",
    ...(answer.inputRequests === undefined ? {} : { inputRequests: answer.inputRequests }),
    requestState: await codec.mint(state, ctx),
  };
}

/** What the client declared on this 2026 request (the envelope's keys keep their full names). */
function clientCapabilitiesOf(ctx: ServerContext): ClientCapabilities {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  return (envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined) ?? {};
}
