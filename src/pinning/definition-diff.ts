import { createTwoFilesPatch } from "diff";
import { canonicalJson, changedFields, type Definition } from "./definition.ts";

/** How a listed definition differs from the pinned one. */
export interface DefinitionDiff {
  /** The fields that differ (`description`, `inputSchema`, …); every field of a new item. */
  readonly fields: readonly string[];
  /**
   * A unified diff of the two definitions as canonical JSON (two-space indent, sorted keys), pinned
   * first: `-` lines were pinned, `+` lines are listed now. A new item is all `+` lines.
   */
  readonly text: string;
}

/** The diff between a pinned definition (undefined for a new item) and the one listed now. */
export function diffDefinitions(recorded: Definition | undefined, listed: Definition): DefinitionDiff {
  const before = recorded === undefined ? "" : `${canonicalJson(recorded, 2)}\n`;
  const after = `${canonicalJson(listed, 2)}\n`;
  const patch = createTwoFilesPatch("pinned", "listed", before, after, undefined, undefined, { context: 3 });
  // The patch starts with an "=====" underline and the two file names; only the hunks are kept.
  const hunks = patch.slice(patch.indexOf("@@"));
  return { fields: changedFields(recorded, listed), text: hunks.trimEnd() };
}
