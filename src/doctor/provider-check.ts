/**
 * Doctor's provider checks: preflight (command, docker, URL), then a real start through the gateway —
 * spawn, `initialize`, `tools/list` — and a `ping`, with the provider's stderr tail when it fails.
 */
import type { ResolvedProvider } from "../config/index.ts";
import { messageOf } from "../errors.ts";
import type { Gateway } from "../gateway/index.ts";
import { type Check, check } from "./check.ts";
import { checkPins } from "./pin-check.ts";
import { preflight } from "./preflight.ts";
import type { StderrRecorder } from "./stderr-recorder.ts";

/** What checking a provider needs: the gateway that owns it, its stderr, the inherited env, a signal. */
export interface ProviderCheckDeps {
  readonly gateway: Gateway;
  readonly stderr: StderrRecorder;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal;
}

/** Every check of one provider, in order; a failed step skips the ones that need it. */
export async function checkProvider(provider: ResolvedProvider, deps: ProviderCheckDeps): Promise<Check[]> {
  const id = provider.id;
  const checks = await preflight(provider, deps.env);
  if (checks.some((item) => item.status === "fail")) {
    checks.push(check("provider", id, "start", "skip", "not started: fix the problem above first"));
    return checks;
  }
  const handle = deps.gateway.handles.get(id)!;
  const started = performance.now();
  try {
    const tools = await handle.ensureReady(deps.signal);
    const kind = provider.transport.kind === "http" ? "connected" : "started";
    const took = performance.now() - started;
    checks.push(
      check("provider", id, "start", "ok", `${kind} and initialized in ${took.toFixed(0)} ms`, { latency_ms: took }),
    );
    if (tools.length === 0)
      checks.push(
        check("provider", id, "tools", "warn", "it lists no tools", {
          fix: "check the server's own settings (arguments, env): some servers offer tools only when configured",
        }),
      );
    else
      checks.push(
        check(
          "provider",
          id,
          "tools",
          "ok",
          `${tools.length} tool${tools.length === 1 ? "" : "s"}: ${names(tools.map((tool) => tool.name))}`,
        ),
      );
    const pinned = checkPins(id, deps.gateway.pins);
    if (pinned) checks.push(pinned);
  } catch (error) {
    const message = messageOf(error);
    const detail = deps.stderr.tail(id) || undefined;
    checks.push(
      check("provider", id, "start", "fail", message, {
        fix: startFix(message, provider),
        detail,
        latency_ms: performance.now() - started,
      }),
    );
    return checks;
  }
  try {
    const latency = await handle.ping(deps.signal);
    checks.push(
      check("provider", id, "ping", "ok", `answers ping in ${latency.toFixed(1)} ms`, { latency_ms: latency }),
    );
  } catch (error) {
    const fix =
      "the server does not answer `ping`; hangar's health checks will count it as failing (set health_check_interval_s: 0 to turn them off)";
    checks.push(check("provider", id, "ping", "warn", `ping failed: ${messageOf(error)}`, { fix }));
  }
  return checks;
}

/** The first few tool names, then how many more. */
function names(all: readonly string[]): string {
  const shown = all.slice(0, 6).join(", ");
  return all.length > 6 ? `${shown} and ${all.length - 6} more` : shown;
}

/** How to fix a failed start, from what the failure says. */
function startFix(message: string, provider: ResolvedProvider): string {
  const t = provider.transport;
  if (/did not start within/.test(message)) {
    return "raise startup_timeout_s (a first npx/uvx/docker run downloads the server), or run the command by hand to see where it hangs";
  }
  // The start failed for want of a sign-in: the message names the command, and the fix is that command.
  if (t.kind === "http" && message.includes("`hangar auth login"))
    return `run \`hangar auth login ${provider.id}\` (it opens the sign-in page in your browser)`;
  if (t.kind === "http")
    return "check that the server at `url` speaks MCP (Streamable HTTP or SSE) and that `headers` carry valid credentials";
  const argv = t.kind === "stdio" ? [t.command, ...t.args] : ["docker", "run", "-i", "--rm", t.image, ...t.args];
  const run = argv.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : JSON.stringify(word))).join(" ");
  return `run it by hand to see its error (${run}); check its \`env\`${t.kind === "stdio" ? " and `cwd`" : ""}`;
}
