import { InvalidBatchError } from "../errors.ts";
import { findCycle } from "../scheduler/index.ts";
import type { CallRequest } from "./batch-schema.ts";
import { type ArgumentMarks, scanArguments } from "./references.ts";

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
  const marks = calls.map((call) => scanArguments(call.arguments));
  const problems: string[] = [];
  marks.forEach((mark, i) => {
    if (mark.problem) problems.push(`calls.${i}.${mark.problem}`);
  });
  const byId = new Map<string, number[]>();
  calls.forEach((call, i) => {
    if (call.id !== undefined) byId.set(call.id, [...(byId.get(call.id) ?? []), i]);
  });
  const after = marks.map((mark, i) => {
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
