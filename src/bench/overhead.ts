/**
 * The overhead scenario: one call at a time through a direct MCP client (the SDK's own stdio or
 * Streamable HTTP / SSE transport, its own connection to the same server) and through hangar,
 * interleaved so both see the same machine. The difference of the percentiles is what hangar adds. The
 * direct client negotiates the protocol era as hangar does (`auto`), so both paths speak the same one.
 */
import {
  Client,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Transport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { ResolvedProvider } from "../config/index.ts";
import { messageOf } from "../errors.ts";
import { childEnv } from "../providers/index.ts";
import type { BenchFailure, BenchReport, BenchTarget } from "./report.ts";
import type { ScenarioContext } from "./scenarios.ts";
import { roundMs } from "./stats.ts";
import { batchOf, failureOf, toFigures } from "./timed-calls.ts";

/** Warm-up calls on each path before measuring. */
const WARMUP = 10;
/** Measuring stops after this long, however many calls were asked for. */
const BUDGET_MS = 20_000;

/** A transport of the SDK's own to `provider`, or why there is none (docker: no direct baseline). */
function directTransport(
  provider: ResolvedProvider,
  baseEnv: Readonly<Record<string, string | undefined>>,
): Transport | string {
  const t = provider.transport;
  if (t.kind === "docker") return "docker providers have no direct baseline here (it would be a second container)";
  if (t.kind === "http") {
    const init = { requestInit: { headers: { ...t.headers } } };
    return t.protocol === "sse"
      ? new SSEClientTransport(new URL(t.url), init)
      : new StreamableHTTPClientTransport(new URL(t.url), init);
  }
  const env = childEnv(baseEnv, t);
  return new StdioClientTransport({
    command: t.command,
    args: [...t.args],
    env,
    ...(t.cwd ? { cwd: t.cwd } : {}),
    stderr: "ignore",
  });
}

/** Why a direct client's call failed: the request itself (`thrown`), or the tool's answer with isError. */
function directFailureOf(target: BenchTarget, answer: { thrown?: string; content?: unknown }): BenchFailure {
  if (answer.thrown !== undefined)
    return { provider: target.provider, tool: target.tool, type: "direct_client_error", message: answer.thrown };
  const content = Array.isArray(answer.content) ? (answer.content as { type?: unknown; text?: unknown }[]) : [];
  const text = content.find((block) => block.type === "text" && typeof block.text === "string")?.text as
    | string
    | undefined;
  return {
    provider: target.provider,
    tool: target.tool,
    type: "tool_error",
    message: text ? text.slice(0, 500) : `Tool "${target.tool}" reported an error`,
  };
}

/** `samples` interleaved calls of `target` each way; skipped with a reason when no direct client can be made. */
export async function overhead(
  context: ScenarioContext,
  target: BenchTarget,
  baseEnv: Readonly<Record<string, string | undefined>> = process.env,
): Promise<BenchReport["overhead"]> {
  const { hangar, signal, progress } = context;
  const samples = context.calls * context.rounds * 5;
  const transport = directTransport(hangar.gateway.handles.get(target.provider)!.config, baseEnv);
  if (typeof transport === "string") return { target, skipped: transport };
  const client = new Client({ name: "hangar-bench-direct", version: "1" }, { versionNegotiation: { mode: "auto" } });
  try {
    await client.connect(transport, { signal });
  } catch (error) {
    return { target, skipped: `a direct client could not connect: ${messageOf(error)}` };
  }
  const request = batchOf([target]);
  const direct: number[] = [];
  const viaHangar: number[] = [];
  let directOk = 0;
  let hangarOk = 0;
  let directFailure: BenchFailure | undefined;
  let hangarFailure: BenchFailure | undefined;
  try {
    const end = performance.now() + BUDGET_MS;
    for (let i = 0; i < WARMUP + samples && performance.now() < end; i++) {
      let t = performance.now();
      const answer = await client
        .callTool({ name: target.tool, arguments: target.arguments }, { signal })
        .catch((error: unknown) => ({ isError: true, thrown: messageOf(error) }));
      const directMs = performance.now() - t;
      t = performance.now();
      const batch = await hangar.call(request, { signal });
      const hangarMs = performance.now() - t;
      if (i < WARMUP) continue;
      direct.push(directMs);
      viaHangar.push(hangarMs);
      if (answer.isError !== true) directOk++;
      else directFailure ??= directFailureOf(target, answer);
      hangarOk += batch.succeeded;
      for (const result of batch.results) hangarFailure ??= failureOf(result);
      progress("overhead", i + 1 - WARMUP, samples);
    }
  } finally {
    await client.close().catch(() => {});
  }
  const d = toFigures(direct, directOk, [direct.reduce((a, b) => a + b, 0)], directFailure);
  const h = toFigures(viaHangar, hangarOk, [viaHangar.reduce((a, b) => a + b, 0)], hangarFailure);
  const added = (key: "p50" | "p95" | "p99") => roundMs(h.latency_ms[key] - d.latency_ms[key]);
  // Failures answer fast: a difference of their latencies is no added latency.
  const allOk = directOk === direct.length && hangarOk === viaHangar.length;
  const addedMs = allOk ? { p50: added("p50"), p95: added("p95"), p99: added("p99") } : null;
  return { target, direct: d, hangar: h, added_ms: addedMs };
}
