import { CallError } from "../errors.ts";
import type { Settled } from "../scheduler/index.ts";
import type { CallRequest, ProviderAnswer } from "./batch-schema.ts";
import { classifyError } from "./classify.ts";
import { type Reference, resolveArguments } from "./references.ts";
import { pointInto } from "./result-document.ts";

/** How messages name call `index` of a batch: `call 2 ("lookup")`. */
export function callLabel(calls: readonly CallRequest[], index: number): string {
  const id = calls[index]?.id;
  return id === undefined ? `call ${index}` : `call ${index} ("${id}")`;
}

/**
 * A dependent call's arguments once the calls it references settled: each `$hangar.ref` replaced by the
 * value its pointer finds in the referenced call's answer (see `resultDocument`), each literal unwrapped.
 * Throws a `dependency_failed` CallError, naming the call and the pointer, when a referenced call failed
 * (retryable when that failure was) or its answer has nothing at the pointer.
 */
export function dependentArguments(
  calls: readonly CallRequest[],
  index: number,
  outcomes: ReadonlyMap<number, Settled<ProviderAnswer>>,
): Record<string, unknown> {
  const byId = new Map<string, number>();
  calls.forEach((call, i) => {
    if (call.id !== undefined) byId.set(call.id, i);
  });
  const valueAt = (ref: Reference): unknown => {
    const source = byId.get(ref.id)!;
    const outcome = outcomes.get(source)!;
    const where = `${ref.at} ("${ref.id}#${ref.pointer}")`;
    const answer = outcome.value;
    if (answer === undefined || answer.isError === true) {
      const info =
        answer === undefined
          ? classifyError(outcome.error, calls[source]!.provider)
          : { type: "tool_error", retryable: false };
      throw new CallError(
        "dependency_failed",
        `${where} depends on ${callLabel(calls, source)}, which failed (${info.type})`,
        info.retryable,
      );
    }
    const hit = pointInto(answer, ref.tokens);
    if (!hit.found)
      throw new CallError(
        "dependency_failed",
        `${where}: the result of ${callLabel(calls, source)} has nothing at "${ref.pointer}"`,
      );
    return hit.value;
  };
  return argumentsObject(resolveArguments(calls[index]!.arguments ?? {}, valueAt), calls, index);
}

/** The arguments of call `index` when they reference no call: each `$hangar.literal` unwrapped. */
export function literalArguments(calls: readonly CallRequest[], index: number): Record<string, unknown> {
  return argumentsObject(
    resolveArguments(calls[index]!.arguments ?? {}, () => undefined),
    calls,
    index,
  );
}

/**
 * `args` once references and literals are resolved: a reference or a literal may stand for the whole of
 * the arguments, which must still be an object (else `invalid_arguments`).
 */
export function argumentsObject(args: unknown, calls: readonly CallRequest[], index: number): Record<string, unknown> {
  if (args !== null && typeof args === "object" && !Array.isArray(args)) return args as Record<string, unknown>;
  const what = Array.isArray(args) ? "an array" : `a ${args === null ? "null" : typeof args}`;
  throw new CallError(
    "invalid_arguments",
    `The arguments of ${callLabel(calls, index)} resolve to ${what}, not an object`,
  );
}
