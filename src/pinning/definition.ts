import { configure } from "safe-stable-stringify";
import { sha256Hex } from "../runtime/index.ts";

/** The kinds of listed items Hangar pins. */
export type PinKind = "tool" | "prompt";

/**
 * The part of a tool or prompt that is pinned: what a model reads (name, title, description, schemas,
 * annotations, a prompt's arguments), as plain JSON. Fields a provider leaves out are absent.
 */
export type Definition = Readonly<Record<string, unknown>>;

/** JSON with every object's keys sorted (UTF-16 order, as RFC 8785), so equal definitions give equal text. */
const stable = configure({ deterministic: true, bigint: false, circularValue: Error });

/** The canonical JSON of `value`: keys sorted at every level; `indent` spaces for a file (default none). */
export function canonicalJson(value: unknown, indent?: number): string {
  return stable(value, null, indent) ?? "null";
}

/** The fields of a listed tool that are pinned (any SDK version's `Tool` has them). */
export interface PinnedToolFields {
  readonly name: string;
  readonly title?: unknown;
  readonly description?: unknown;
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
  readonly annotations?: unknown;
}

/** The fields of a listed prompt that are pinned. */
export interface PinnedPromptFields {
  readonly name: string;
  readonly title?: unknown;
  readonly description?: unknown;
  readonly arguments?: unknown;
}

/** A tool's pinned definition: name, title, description, input and output schema, annotations. */
export function toolDefinition(tool: PinnedToolFields): Definition {
  return defined({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
  });
}

/** A prompt's pinned definition: name, title, description, arguments. */
export function promptDefinition(prompt: PinnedPromptFields): Definition {
  return defined({
    name: prompt.name,
    title: prompt.title,
    description: prompt.description,
    arguments: prompt.arguments,
  });
}

/** The digest of a definition: `sha256:` and the SHA-256 of its canonical JSON. */
export function digestOf(definition: Definition): string {
  return `sha256:${sha256Hex(canonicalJson(definition))}`;
}

/** The fields whose value differs between two definitions, in a fixed order (for one-line summaries). */
export function changedFields(recorded: Definition | undefined, listed: Definition): string[] {
  const keys = [...new Set([...Object.keys(recorded ?? {}), ...Object.keys(listed)])].sort();
  return keys.filter((key) => canonicalJson(recorded?.[key]) !== canonicalJson(listed[key]));
}

function defined(fields: Record<string, unknown>): Definition {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
