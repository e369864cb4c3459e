/**
 * How a provider's tools, prompts and resources are named in front of Hangar, and back: `<id>__<name>`
 * (at most 64 characters), or the provider's own name when it sets `prefix: false` and the name collides
 * with nothing; resource URIs become `hangar://<id>/<uri>`, or stay as they are without a prefix.
 *
 * One provider can never take another's name: a provider id holds no `__` and does not end in `_`
 * (checked at config load), so the text before the first `__` of a prefixed name is always its provider
 * id; and a provider's own name that holds `__` is never shown bare. Within one provider, a name that
 * comes out of the hash rule equal to another of its names loses to that name, with a warning.
 */

import { sha256Hex } from "../runtime/index.ts";

/** Between a provider id and its own name. */
export const SEPARATOR = "__";
/** The longest name a client is shown (many clients refuse longer tool names). */
export const MAX_NAME_LENGTH = 64;
/** The scheme of a prefixed resource URI. */
const URI_PREFIX = "hangar://";

/** A provider's own name for something it offers. */
export interface Target {
  readonly providerId: string;
  readonly name: string;
}

/** One provider's names to expose. */
export interface NameSource {
  readonly providerId: string;
  readonly prefix: boolean;
  readonly names: readonly string[];
}

/** What model APIs accept as a tool name (Anthropic's and OpenAI's: letters, digits, `_` and `-`). */
const PORTABLE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * `<id>__<name>`. One that is too long, or holds characters model APIs refuse (`.`, `/`, spaces…), has
 * those replaced by `_`, is cut to fit, and ends in a hash of the original: unique, stable, portable.
 */
export function prefixedName(providerId: string, name: string): string {
  const full = `${providerId}${SEPARATOR}${name}`;
  if (full.length <= MAX_NAME_LENGTH && PORTABLE_NAME.test(full)) return full;
  const hash = sha256Hex(full).slice(0, 8);
  return `${full.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, MAX_NAME_LENGTH - hash.length - 1)}_${hash}`;
}

/** An item left out because its exposed name was already taken. */
export interface NameCollision extends Target {
  /** The exposed name it would have had. */
  readonly shown: string;
  /** Who has that name: a provider's item, or Hangar itself (`reserved`). */
  readonly owner: Target | "reserved";
}

/** Exposed names both ways, built from every exposed provider's names at once. */
export class NameTable {
  private readonly targets = new Map<string, Target>();
  private readonly exposed = new Map<string, string>();
  /** Items that got no name, because another had it first; empty unless a provider's names clash. */
  readonly collisions: NameCollision[] = [];

  /**
   * `reserved` names (Hangar's own tools) are never given to a provider's item. A provider's own
   * portable names are given out before the hashed ones, so which item keeps a contested name does not
   * depend on the order a provider lists them in. A name listed twice is one item.
   */
  constructor(sources: readonly NameSource[], reserved: ReadonlySet<string> = new Set()) {
    const bareCount = new Map<string, number>();
    for (const source of sources)
      for (const name of new Set(source.names)) bareCount.set(name, (bareCount.get(name) ?? 0) + 1);
    const prefixed = new Set(sources.flatMap((s) => s.names.map((n) => prefixedName(s.providerId, n))));
    const shownOf = (source: NameSource, name: string): string => {
      const bare =
        !source.prefix &&
        bareCount.get(name) === 1 &&
        !name.includes(SEPARATOR) &&
        !reserved.has(name) &&
        !prefixed.has(name) &&
        name.length <= MAX_NAME_LENGTH &&
        PORTABLE_NAME.test(name);
      return bare ? name : prefixedName(source.providerId, name);
    };
    const items = sources.flatMap((source) =>
      [...new Set(source.names)].map((name) => ({ source, name, shown: shownOf(source, name) })),
    );
    const hashed = ({ source, name, shown }: (typeof items)[number]) =>
      shown !== name && shown !== `${source.providerId}${SEPARATOR}${name}`;
    for (const { source, name, shown } of [...items.filter((i) => !hashed(i)), ...items.filter(hashed)]) {
      const owner = reserved.has(shown) ? "reserved" : this.targets.get(shown);
      if (owner !== undefined) {
        this.collisions.push({ providerId: source.providerId, name, shown, owner });
        continue;
      }
      this.targets.set(shown, { providerId: source.providerId, name });
      this.exposed.set(key(source.providerId, name), shown);
    }
  }

  /** The provider and its own name behind an exposed name. */
  resolve(shown: string): Target | undefined {
    return this.targets.get(shown);
  }

  /** The exposed name of a provider's item (undefined if it is not exposed). */
  nameOf(providerId: string, name: string): string | undefined {
    return this.exposed.get(key(providerId, name));
  }
}

function key(providerId: string, name: string): string {
  return `${providerId}\u0000${name}`;
}

/** The URI a client sees for a provider's resource (or template). */
export function exposedUri(providerId: string, uri: string, prefix: boolean): string {
  return prefix ? `${URI_PREFIX}${providerId}/${uri}` : uri;
}

/** The provider id and original URI of a prefixed URI; undefined for any other URI. */
export function parsePrefixedUri(uri: string): Target | undefined {
  if (!uri.startsWith(URI_PREFIX)) return undefined;
  const rest = uri.slice(URI_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  return { providerId: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/**
 * Whether `uri` could come from `template` (RFC 6570 level 1: each `{var}` stands for one or more
 * characters). Walks the template's literal parts left to right, each at its first place after the last
 * (the earliest place always leaves the most room for the rest), so it takes linear time on any input;
 * never a regular expression built from a provider's template.
 */
export function templateMatches(template: string, uri: string): boolean {
  const literals = templateLiterals(template);
  if (literals.length === 1) return uri === literals[0];
  const first = literals[0]!;
  const last = literals.at(-1)!;
  if (!uri.startsWith(first) || !uri.endsWith(last)) return false;
  const end = uri.length - last.length; // The last variable's text ends here.
  let position = first.length; // The next variable's text starts here.
  for (const literal of literals.slice(1, -1)) {
    const found = uri.indexOf(literal, position + 1);
    if (found < 0 || found + literal.length >= end) return false;
    position = found + literal.length;
  }
  return end - position >= 1;
}

/** The literal parts of a URI template around its `{…}` expressions (one more part than expressions). */
function templateLiterals(template: string): string[] {
  const literals: string[] = [];
  let start = 0;
  for (;;) {
    const open = template.indexOf("{", start);
    const close = open < 0 ? -1 : template.indexOf("}", open + 1);
    if (close < 0) break;
    literals.push(template.slice(start, open));
    start = close + 1;
  }
  literals.push(template.slice(start));
  return literals;
}
