import { bun } from "./host.ts";

/** Bun's YAML parser, and a strict deep comparison to check what it read. */
export interface NativeYaml {
  parse(text: string): unknown;
  /** Whether `a` and `b` are the same data: same types, keys, values and prototypes. */
  same(a: unknown, b: unknown): boolean;
}

/**
 * Bun's native YAML parser when Bun runs Hangar, else undefined. It is ~100× faster than the yaml library
 * on a cold start, but does not read every text the same way (duplicate keys, merge keys, several
 * documents), so config/yaml-tree.ts uses it only for a text the library was seen to read identically.
 */
export const nativeYaml: NativeYaml | undefined = bun?.YAML ? fromBun(bun) : undefined;

function fromBun(runtime: typeof Bun): NativeYaml {
  return { parse: (text) => runtime.YAML.parse(text), same: (a, b) => runtime.deepEquals(a, b, true) };
}
