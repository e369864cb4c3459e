import type { Tool } from "@modelcontextprotocol/client";
import type { ToolFilter } from "../config/types.ts";
import { CallError } from "../errors.ts";
import type { ProviderHandle } from "../pool/index.ts";
import { ArgumentsValidator } from "./arguments-validator.ts";
import { closest } from "./closest.ts";
import { globMatches } from "./glob.ts";

/**
 * Whether a tool name passes a provider's allow/deny globs (deny wins; an empty allow list allows all).
 * Globs match the whole name with `*` and `?` only: `*` matches `/` and `.` too (see glob.ts).
 */
export function toolAllowed(filter: ToolFilter, name: string): boolean {
  const matches = (pattern: string) => globMatches(pattern, name);
  if (filter.deny.some(matches)) return false;
  return filter.allow.length === 0 || filter.allow.some(matches);
}

/** Maps "provider + tool" to a target and checks the call before it goes upstream. */
export class Router {
  private readonly validator = new ArgumentsValidator();

  constructor(private readonly handles: ReadonlyMap<string, ProviderHandle>) {}

  /** Prepares argument validation ahead of the first call (see `ArgumentsValidator.warmUp`). */
  warmUp(): void {
    this.validator.warmUp();
  }

  /** The provider's handle, or a CallError: unknown_provider or denied. Starts nothing. */
  route(providerId: string, toolName: string): ProviderHandle {
    const handle = this.handles.get(providerId);
    if (handle === undefined) {
      const known = [...this.handles.keys()];
      const guess = closest(providerId, known);
      const hint = guess ? ` Did you mean "${guess}"?` : ` Known providers: ${known.join(", ") || "none"}.`;
      throw new CallError("unknown_provider", `Unknown provider "${providerId}".${hint}`);
    }
    if (!toolAllowed(handle.config.tools, toolName)) {
      throw new CallError(
        "denied",
        `Tool "${toolName}" of provider "${providerId}" is not allowed by its tools allow/deny rules`,
      );
    }
    return handle;
  }

  /** Finds the tool in the provider's catalog and validates the arguments against its inputSchema. */
  check(providerId: string, tools: readonly Tool[], toolName: string, args: Record<string, unknown> | undefined): Tool {
    const tool = toolsByName(tools).get(toolName);
    if (tool === undefined) {
      const guess = closest(
        toolName,
        tools.map((t) => t.name),
      );
      const hint = guess ? ` Did you mean "${guess}"?` : "";
      throw new CallError("unknown_tool", `Provider "${providerId}" has no tool "${toolName}".${hint}`);
    }
    const problem = this.validator.check(tool, args ?? {});
    if (problem !== undefined) {
      throw new CallError("invalid_arguments", `Invalid arguments for "${providerId}" tool "${toolName}": ${problem}`);
    }
    return tool;
  }
}

const indexes = new WeakMap<readonly Tool[], ReadonlyMap<string, Tool>>();

/** `tools` by name, made once per list a provider listed (the first of a repeated name, as `find` gives). */
function toolsByName(tools: readonly Tool[]): ReadonlyMap<string, Tool> {
  let index = indexes.get(tools);
  if (index === undefined) {
    const byName = new Map<string, Tool>();
    for (const tool of tools) if (!byName.has(tool.name)) byName.set(tool.name, tool);
    index = byName;
    indexes.set(tools, index);
  }
  return index;
}
