import { InvalidBatchError } from "../errors.ts";
import { findCycle } from "../scheduler/index.ts";
import type { CallRequest } from "./batch-schema.ts";
import { type ArgumentMarks, LITERAL_KEY, REF_KEY, scanArguments } from "./references.ts";

/** The graph of a well-formed batch: what each call references and which calls it waits for. */
export interface BatchPlan {
  /** Per call: its arguments' references and whether they hold any marker. */
  readonly marks: readonly ArgumentMarks[];
  /** Per call: the indices of the calls it references, each once, ascending. */
  readonly after: readonly (readonly number[])[];
}

/**
 * Plans a batch's dependent calls before anything runs: every `$hangar.ref` must be well-formed and name
 * the `id` of exactly one call, and no call may wait on itself through its references. Throws
 * InvalidBatchError naming every problem (the first five).
 */
export function planBatch(calls: readonly CallRequest[]): BatchPlan {
  const marks = calls.map((call) => (holdsMarker(call.arguments) ? scanArguments(call.arguments) : UNMARKED));
  // The usual batch: no call references another, so none waits.
  if (marks.every((mark) => mark === UNMARKED)) return { marks, after: calls.map(() => NO_CALLS) };
  const problems: string[] = [];
  marks.forEach((mark, i) => {
    if (mark.problem) problems.push(`calls.${i}.${mark.problem}`);
  });
  const byId = new Map<string, number[]>();
  calls.forEach((call, i) => {
    if (call.id !== undefined) byId.set(call.id, [...(byId.get(call.id) ?? []), i]);
  });
  const after = marks.map((mark, i) => {
    if (mark.refs.length === 0) return NO_CALLS;
    const needs = new Set<number>();
    for (const ref of mark.refs) {
      const owners = byId.get(ref.id);
      if (owners === undefined) problems.push(`calls.${i}.${ref.at}: no call has the id "${ref.id}"`);
      else if (owners.length > 1)
        problems.push(
          `calls.${i}.${ref.at}: the id "${ref.id}" is used by calls ${owners.join(", ")}; an id that a call references must be unique`,
        );
      else needs.add(owners[0]!);
    }
    return [...needs].sort((a, b) => a - b);
  });
  if (problems.length === 0) {
    const cycle = findCycle(after);
    if (cycle)
      problems.push(
        `calls ${cycle.map((i) => (calls[i]!.id === undefined ? `${i}` : `${i} ("${calls[i]!.id}")`)).join(" → ")} reference each other in a cycle`,
      );
  }
  if (problems.length > 0)
    throw new InvalidBatchError(
      `Invalid batch: ${[...new Set(problems)].slice(0, 5).join("; ")}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}`,
    );
  return { marks, after };
}

/** The marks of arguments that hold no reference or literal. */
const UNMARKED: ArgumentMarks = { refs: [], marked: false };
const NO_CALLS: readonly number[] = [];

/**
 * Whether any object in `args` has a `$hangar.ref` or `$hangar.literal` key: when none does, scanning finds
 * nothing (no reference, no literal, no problem), so this cheaper walk (no paths built) spares it. Walks
 * with its own stack, as scanArguments does, so hostile nesting cannot overflow the call stack.
 */
export function holdsMarker(args: Record<string, unknown> | undefined): boolean {
  if (args === undefined) return false;
  const stack: unknown[] = [args];
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object") continue;
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (Object.hasOwn(value, REF_KEY) || Object.hasOwn(value, LITERAL_KEY)) return true;
    for (const key in value) if (Object.hasOwn(value, key)) stack.push((value as Record<string, unknown>)[key]);
  }
  return false;
}
