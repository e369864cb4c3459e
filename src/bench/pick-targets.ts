/**
 * Which tools bench calls: those named with `--tool`, or else, per provider, one tool annotated
 * read-only whose arguments can be taken from its schema and whose one trial call succeeds. A tool that
 * may write is called only when it is named. On the built-in demo providers the workload is `sleep` (a
 * known latency) and `echo`. Only the providers that may have a named tool are started.
 */
import type { Tool } from "@modelcontextprotocol/client";
import { HangarError, messageOf, UsageError } from "../errors.ts";
import { type Gateway, toolAllowed } from "../gateway/index.ts";
import type { BenchTarget } from "./report.ts";
import { isReadOnly, requiredCount, sampleArguments } from "./sample-arguments.ts";
import { failureOf } from "./timed-calls.ts";

/** What to pick from; every field says its default. */
export interface PickOptions {
  /** Only these providers (default: all). */
  readonly providers?: readonly string[];
  /** `tool` or `provider/tool` names to call, writing tools included (default: pick read-only tools). */
  readonly tools?: readonly string[];
  /** Arguments for the named tools (default: taken from each tool's schema). */
  readonly args?: Record<string, unknown>;
  /** The built-in demo providers: use `sleep` for the load and `echo` for the overhead. */
  readonly demo: boolean;
  /** The demo `sleep` duration (default 50 ms). */
  readonly demoLatencyMs?: number;
  readonly signal: AbortSignal;
}

/** The chosen targets, the one measured for overhead, and the providers left out with why. */
export interface PickedTargets {
  readonly targets: BenchTarget[];
  readonly overhead: BenchTarget;
  readonly skipped: { provider: string; reason: string }[];
}

/** Starts the chosen providers (through the gateway) and picks what to call on each. */
export async function pickTargets(gateway: Gateway, options: PickOptions): Promise<PickedTargets> {
  const known = [...gateway.handles.keys()];
  const unknown = (options.providers ?? []).filter((id) => !known.includes(id));
  if (unknown.length)
    throw new UsageError(
      `Unknown provider${unknown.length > 1 ? "s" : ""} ${unknown.map((id) => `"${id}"`).join(", ")} in --providers; known: ${known.join(", ")}`,
    );
  const ids = providersToStart(known, options);
  const skipped: { provider: string; reason: string }[] = [];
  const picked = await Promise.all(
    ids.map(async (id) => {
      const handle = gateway.handles.get(id)!;
      let tools: readonly Tool[];
      try {
        tools = (await handle.ensureReady(options.signal)).filter((tool) =>
          toolAllowed(handle.config.tools, tool.name),
        );
      } catch (error) {
        skipped.push({ provider: id, reason: messageOf(error) });
        return [];
      }
      const chosen = await choose(gateway, id, tools, options);
      if ("reason" in chosen) skipped.push({ provider: id, reason: chosen.reason });
      return "reason" in chosen ? [] : chosen.targets;
    }),
  );
  const targets = picked.flat();
  const first = targets[0];
  if (first === undefined) {
    const why = skipped.map((s) => `"${s.provider}": ${s.reason}`).join("; ");
    throw new HangarError(
      `No provider has a tool bench may call (${why || "no providers"}); name one with --tool provider/tool`,
    );
  }
  const overhead = options.demo
    ? { provider: first.provider, tool: "echo", arguments: { message: "hangar bench" } }
    : first;
  return { targets, overhead, skipped };
}

/**
 * The providers to start: those of `--providers` (default all), and when every `--tool` names its
 * provider (`provider/tool`), only those: a provider that cannot have the tool is never started.
 */
function providersToStart(known: readonly string[], options: PickOptions): string[] {
  const ids = options.providers?.length ? [...new Set(options.providers)] : [...known];
  const specs = options.tools ?? [];
  if (specs.length === 0 || specs.some((spec) => !spec.includes("/"))) return ids;
  const named = new Set(specs.map((spec) => spec.slice(0, spec.indexOf("/"))));
  const unknown = [...named].filter((id) => !known.includes(id));
  if (unknown.length)
    throw new UsageError(
      `Unknown provider${unknown.length > 1 ? "s" : ""} ${unknown.map((id) => `"${id}"`).join(", ")} in --tool; known: ${known.join(", ")}`,
    );
  return ids.filter((id) => named.has(id));
}

/** The targets of one provider, or why it has none. */
async function choose(
  gateway: Gateway,
  id: string,
  tools: readonly Tool[],
  options: PickOptions,
): Promise<{ targets: BenchTarget[] } | { reason: string }> {
  if (options.demo && !options.tools?.length) {
    return { targets: [{ provider: id, tool: "sleep", arguments: { ms: options.demoLatencyMs ?? 50 } }] };
  }
  if (options.tools?.length) {
    const names = options.tools.flatMap((spec) => {
      const slash = spec.indexOf("/");
      if (slash < 0) return [spec];
      return spec.slice(0, slash) === id ? [spec.slice(slash + 1)] : [];
    });
    const targets: BenchTarget[] = [];
    for (const name of names) {
      const tool = tools.find((t) => t.name === name);
      if (tool === undefined) continue;
      const args = options.args ?? sampleArguments(tool);
      if (args === undefined)
        return { reason: `cannot tell which arguments to send to "${name}"; pass them with --args '{…}'` };
      targets.push({ provider: id, tool: name, arguments: args });
    }
    return targets.length
      ? { targets }
      : { reason: `it has none of the tools named with --tool (${options.tools.join(", ")})` };
  }
  const candidates = tools.filter(isReadOnly).sort((a, b) => requiredCount(a) - requiredCount(b));
  const failed: string[] = [];
  for (const tool of candidates) {
    const args = sampleArguments(tool);
    if (args === undefined) continue;
    const target = { provider: id, tool: tool.name, arguments: args };
    // Read-only is not the same as working: a tool may fail every call (the demo's `fail` does, by
    // design, and has no required arguments, so it sorts first). One trial call keeps bench from
    // measuring nothing but errors; a read-only tool is safe to call once more.
    const failure = await tryOnce(gateway, target, options.signal);
    if (failure === undefined) return { targets: [target] };
    failed.push(`${tool.name}: ${failure}`);
  }
  if (failed.length)
    return {
      reason: `its read-only tools bench could call failed when tried (${failed.join("; ")}); name one with --tool and --args`,
    };
  const reason = candidates.length
    ? "its read-only tools all need arguments bench cannot guess; name one with --tool and --args"
    : "none of its tools is annotated read-only; name one with --tool to call it anyway";
  return { reason };
}

/** Calls `target` once: undefined when it succeeds, else its error type and message. */
async function tryOnce(gateway: Gateway, target: BenchTarget, signal: AbortSignal): Promise<string | undefined> {
  signal.throwIfAborted();
  const failure = failureOf(await gateway.callOne(target, { signal }));
  return failure && `${failure.type}: ${failure.message}`;
}
