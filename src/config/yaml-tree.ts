/**
 * Reads YAML (or JSON, which is YAML) into plain data while remembering where every key and value is in
 * the text, so that each later problem can name its file, line and column.
 */
import { createRequire } from "node:module";
import type { Document, Node } from "yaml";
import { type NativeYaml, nativeYaml } from "../runtime/index.ts";
import type { KeyPath, Position, Problem } from "./problems.ts";
import { problemsError } from "./problems.ts";
import type { YamlMemo } from "./yaml-memo.ts";

type Range = readonly [start: number, end: number];

/** Parsed data plus a way back from a key path to the text. */
export interface YamlTree {
  /** The document as plain data: maps become objects, sequences arrays, scalars their values. */
  readonly data: unknown;
  /** Where the value at `path` starts, or its nearest enclosing value when it is not there. */
  valueAt(path: KeyPath): Position | undefined;
  /** Where the key of the last segment of `path` is; falls back to `valueAt`. */
  keyAt(path: KeyPath): Position | undefined;
  /** Where `needle` (e.g. `${TOKEN}`) appears in the text of the value at `path`; falls back to `valueAt`. */
  textAt(path: KeyPath, needle: string, occurrence: number): Position | undefined;
}

const MAX_DEPTH = 64;
/**
 * The yaml library's limit on alias expansion (its default): a few `&anchor`/`*alias` lines can
 * otherwise stand for billions of values (the "billion laughs" attack).
 */
export const MAX_ALIAS_COUNT = 100;
/** The most values (maps, lists and scalars, aliases counted where they are used) a config may hold. */
export const MAX_VALUES = 100_000;

/**
 * Parses `text`; syntax errors become one `ConfigError` naming each file:line:col (never the text). With a
 * `memo`, a text the memo says Bun's native parser reads exactly as the yaml library does is read by the
 * native parser, and the library parses it only if a problem asks where something is; any other text is
 * read by the library, then offered to the native parser, and recorded in the memo when both agree.
 */
export function parseYamlTree(text: string, fileName: string, memo?: YamlMemo): YamlTree {
  if (memo === undefined || nativeYaml === undefined) return libraryTree(text, fileName);
  const agreed = memo.agrees(text) ? nativeData(nativeYaml, text) : undefined;
  if (agreed) {
    const { data } = agreed;
    let located: YamlTree | undefined;
    const full = () => (located ??= libraryTree(text, fileName));
    return {
      data,
      valueAt: (path) => full().valueAt(path),
      keyAt: (path) => full().keyAt(path),
      textAt: (path, needle, occurrence) => full().textAt(path, needle, occurrence),
    };
  }
  const tree = libraryTree(text, fileName);
  const native = nativeData(nativeYaml, text);
  if (native && nativeYaml.same(native.data, tree.data)) memo.recordAgreement(text);
  return tree;
}

type YamlLibrary = typeof import("yaml");
let library: YamlLibrary | undefined;

/**
 * The yaml library, loaded on first use: a config read natively never loads it (issue 11: ~4 ms of a
 * start). A literal `require` for the bundler (the binary, the Node library); `createRequire` where
 * modules run without `require` (Deno).
 */
function yamlLibrary(): YamlLibrary {
  library ??= (typeof require === "function" ? require("yaml") : createRequire(import.meta.url)("yaml")) as YamlLibrary;
  return library;
}

/** What the native parser reads, or undefined when it refuses the text. */
function nativeData(native: NativeYaml, text: string): { data: unknown } | undefined {
  try {
    return { data: native.parse(text) };
  } catch {
    return undefined;
  }
}

/** Parses `text` with the yaml library, remembering where each key and value is. */
function libraryTree(text: string, fileName: string): YamlTree {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const problems: Problem[] = doc.errors.map((error) => ({
      path: [],
      position: at(error.pos[0]),
      // The library's message may quote the offending line; keep only its first sentence.
      message: error.message.split(/ at line \d+|\n/)[0] ?? "invalid syntax",
    }));
    throw problemsError(fileName, problems, "YAML in");
  }
  aliasProblem(doc, fileName, at);
  const values = new Map<string, Range>();
  const keys = new Map<string, Range>();
  const budget = { left: MAX_VALUES, alias: undefined as Node | undefined };
  const data = toPlain(doc, doc.contents, [], values, keys, 0, budget);
  if (budget.left < 0) throw tooManyValues(fileName, at, budget.alias);
  const nearest = (map: Map<string, Range>, path: KeyPath): Position | undefined => {
    for (let n = path.length; n >= 0; n--) {
      const range = (n === path.length ? map : values).get(JSON.stringify(path.slice(0, n)));
      if (range) return at(range[0]);
    }
    return undefined;
  };
  return {
    data,
    valueAt: (path) => nearest(values, path),
    keyAt: (path) => nearest(keys, path),
    textAt(path, needle, occurrence) {
      const range = values.get(JSON.stringify(path));
      if (range) {
        const source = text.slice(range[0], range[1]);
        let index = -1;
        for (let i = 0; i <= occurrence; i++) {
          index = source.indexOf(needle, index + 1);
          if (index < 0) break;
        }
        if (index >= 0) return at(range[0] + index);
      }
      return nearest(values, path);
    },
  };
}

/**
 * Lets the yaml library check its alias limit (`maxAliasCount`) before `toPlain` expands any alias: it
 * counts without expanding, so a bomb fails at once. Throws a `ConfigError` at the first alias.
 */
function aliasProblem(doc: Document, fileName: string, at: (offset: number) => Position): void {
  try {
    doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (!(error instanceof ReferenceError)) return; // Anything else is the hand walk's to report.
    let first: Node | undefined;
    const { visit } = yamlLibrary();
    visit(doc, {
      Alias(_key, node) {
        first = node;
        return visit.BREAK;
      },
    });
    throw tooManyValues(fileName, at, first);
  }
}

function tooManyValues(fileName: string, at: (offset: number) => Position, alias: Node | undefined): Error {
  const range = alias?.range;
  const message = alias
    ? `uses YAML aliases (\`*name\`) that expand to too many values (the limits are ${MAX_ALIAS_COUNT} uses ` +
      `of an anchor, weighted by the aliases inside it, and ${MAX_VALUES} values in all); write the values out instead`
    : `holds more than ${MAX_VALUES} values`;
  return problemsError(fileName, [{ path: [], position: range ? at(range[0]) : undefined, message }], "YAML in");
}

function toPlain(
  doc: Document,
  node: unknown,
  path: KeyPath,
  values: Map<string, Range>,
  keys: Map<string, Range>,
  depth: number,
  budget: { left: number; alias: Node | undefined },
): unknown {
  if (depth > MAX_DEPTH || --budget.left < 0) return null;
  const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
  if (isAlias(node)) {
    budget.alias ??= node;
    return toPlain(doc, node.resolve(doc), path, values, keys, depth + 1, budget);
  }
  const range = (node as Node | null)?.range;
  if (range) values.set(JSON.stringify(path), [range[0], range[1]]);
  if (isMap(node)) {
    const result: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const keyPath = [...path, key];
      const keyRange = (pair.key as Node | null)?.range;
      if (keyRange) keys.set(JSON.stringify(keyPath), [keyRange[0], keyRange[1]]);
      // `key:` with nothing after it: point at the key.
      if (keyRange && pair.value == null) values.set(JSON.stringify(keyPath), [keyRange[0], keyRange[1]]);
      const value = toPlain(doc, pair.value, keyPath, values, keys, depth + 1, budget);
      // defineProperty, so that a `__proto__` key is just a key.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  if (isSeq(node))
    return node.items.map((item, i) => toPlain(doc, item, [...path, i], values, keys, depth + 1, budget));
  if (isScalar(node)) return node.value;
  return null;
}
