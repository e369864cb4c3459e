import type { ProviderAnswer } from "./batch-schema.ts";
import { evaluatePointer, type PointerHit, type PointerTokens } from "./json-pointer.ts";

/**
 * The JSON a pointer reads in a tool's answer (a `$hangar.ref` target, a `select`): its
 * `structuredContent` when it has one, else its first text content parsed as JSON, else that text as a
 * string (so the whole-document pointer "" still reads a plain-text answer). An answer with neither has
 * no document: every pointer finds nothing.
 */
export function resultDocument(answer: ProviderAnswer): PointerHit {
  if (answer.structuredContent !== undefined) return { found: true, value: answer.structuredContent };
  const text = answer.content?.find((c) => c.type === "text")?.text;
  if (text === undefined) return { found: false };
  try {
    return { found: true, value: JSON.parse(text) };
  } catch {
    return { found: true, value: text };
  }
}

/** Evaluates `tokens` against `answer`'s document (see `resultDocument`). */
export function pointInto(answer: ProviderAnswer, tokens: PointerTokens): PointerHit {
  const document = resultDocument(answer);
  return document.found ? evaluatePointer(document.value, tokens) : document;
}
