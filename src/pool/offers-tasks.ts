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
  if (client.getProtocolEra() === "modern") return tasksExtensionOf(client) !== undefined;
  const capabilities = client.getServerCapabilities() as
    | { tasks?: { requests?: { tools?: { call?: unknown } } } }
    | undefined;
  return capabilities?.tasks?.requests?.tools?.call !== undefined;
}

/**
 * Whether ext-tasks frames this connection's task requests itself and sends them through the raw dispatch
 * (where task-call.ts's `declaringOffer` reads a call's offer): a 2026-07-28 provider whose tasks
 * extension is `{}`, as ext-tasks requires of its "v2" tasks. Any other value sends them through the SDK
 * client, which would pass the offer's private key on to the provider.
 */
export function framesTasksRaw(client: Pick<Client, "getProtocolEra" | "getServerCapabilities">): boolean {
  const extension = tasksExtensionOf(client);
  return (
    typeof extension === "object" &&
    extension !== null &&
    !Array.isArray(extension) &&
    Object.keys(extension).length === 0
  );
}

/** The tasks extension a 2026-07-28 provider advertises, as it sent it (undefined: none, or a 2025 provider). */
function tasksExtensionOf(client: Pick<Client, "getProtocolEra" | "getServerCapabilities">): unknown {
  if (client.getProtocolEra() !== "modern") return undefined;
  const capabilities = client.getServerCapabilities() as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION];
}
