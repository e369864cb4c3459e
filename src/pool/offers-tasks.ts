/**
 * Whether a provider offers tasks, apart from task-call.ts: deciding so does not load the tasks
 * extension (~10 ms of every start); task-call.ts is imported when a provider does (issue 11).
 */
import type { Client } from "@modelcontextprotocol/client";

/** The extension a 2026-07-28 provider advertises when its tool calls may become tasks (SEP-2663). */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/**
 * Whether calls to this provider go through the tasks requester: it advertises the tasks extension
 * (2026-07-28, where the provider decides per call) or, in 2025-11-25, the `tasks.requests.tools.call`
 * capability (where Hangar asks for a task when the tool is declared task-required or task-optional).
 */
export function offersTasks(client: Client): boolean {
  const capabilities = client.getServerCapabilities() as
    | { extensions?: Record<string, unknown>; tasks?: { requests?: { tools?: { call?: unknown } } } }
    | undefined;
  if (client.getProtocolEra() === "modern") return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
  return capabilities?.tasks?.requests?.tools?.call !== undefined;
}
