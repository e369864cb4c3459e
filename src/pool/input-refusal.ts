import { type CallToolResult, ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/client";
import { CallError } from "../errors.ts";

/** What the tasks requester (ext-tasks) throws when a provider asks for input before creating its task. */
const TASK_INPUT_REFUSED = "no onInputRequest handler is configured";

/** Client capabilities that are input a provider asks for mid-call (a -32021 naming one is an input request). */
const INPUT_CAPABILITIES = ["elicitation", "sampling", "roots"];

/**
 * The failure of a call whose provider asked for input its caller cannot give (a 2026-07-28 client's
 * `hangar_call`, whose calls cannot hold an `input_required` round of their own): `input_required`,
 * naming the tool and what it asked for. `asked` is the provider's `input_required` answer, or the
 * -32021 it sent for a client that declared no such capability (undefined: not known).
 */
export function inputRequiredFailure(tool: string, asked: CallToolResult | ProtocolError | undefined): CallError {
  return new CallError(
    "input_required",
    `Tool "${tool}" asked for input (${describe(asked)}), which a hangar_call batch cannot pass to a 2026-07-28 client`,
  );
}

/** Whether `result` is a 2026-07-28 `input_required` answer. */
export function isInputRequired(result: unknown): result is CallToolResult {
  return (result as { resultType?: unknown } | null)?.resultType === "input_required";
}

/** Whether `error` is the tasks requester's refusal of a provider's input request made before its task. */
export function isTaskInputRefusal(error: unknown): boolean {
  return error instanceof Error && error.message.includes(TASK_INPUT_REFUSED);
}

/** Whether `error` is a provider's -32021 for a client capability that is input (elicitation, sampling, roots). */
export function isInputCapabilityError(error: unknown): error is ProtocolError {
  if (!(error instanceof ProtocolError) || error.code !== ProtocolErrorCode.MissingRequiredClientCapability)
    return false;
  const required = (error.data as { requiredCapabilities?: Record<string, unknown> } | undefined)?.requiredCapabilities;
  if (required !== undefined) return INPUT_CAPABILITIES.some((name) => name in required);
  return INPUT_CAPABILITIES.some((name) => error.message.includes(name));
}

/** What the provider asked for: each input request's method and message, or the capability it needs. */
function describe(asked: CallToolResult | ProtocolError | undefined): string {
  if (asked === undefined) return "before starting its task";
  if (asked instanceof ProtocolError) {
    const required = (asked.data as { requiredCapabilities?: Record<string, unknown> } | undefined)
      ?.requiredCapabilities;
    const names = required ? Object.keys(required).join(", ") : "";
    return names === "" ? "a client capability" : `it needs the client's ${names}`;
  }
  const requests = (asked as { inputRequests?: Record<string, { method?: unknown; params?: { message?: unknown } }> })
    .inputRequests;
  const each = Object.values(requests ?? {}).map((request) => {
    const message = typeof request.params?.message === "string" ? `: ${JSON.stringify(request.params.message)}` : "";
    return `${String(request.method ?? "input")}${message}`;
  });
  return each.length === 0 ? "another round" : each.join("; ");
}
