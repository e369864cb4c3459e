// Tool allow/deny globs (issue 9, item 15): a glob matches the whole name whatever characters it holds.
import { describe, expect, test } from "bun:test";
import { globMatches } from "../src/gateway/glob.ts";
import { toolAllowed } from "../src/gateway/index.ts";

/** Names with every character that means something to a file glob, a regex or a shell. */
const SPECIAL_NAMES = {
  "a slash": "fs/write_file",
  "two slashes": "a/b/c",
  "a dot": "files.read",
  "a leading dot": ".hidden",
  "a space": "list dir",
  "a backslash": "a\\b",
  "square brackets": "get[0]",
  braces: "x{a,b}",
  "an exclamation mark": "!important",
  "a star and a question mark": "what?*",
  "regex characters": "a+b(c)|d^$",
  "percent and hash signs": "50%#1",
  "a colon": "ns:tool",
  "accented letters": "créer_fichier",
  "CJK characters": "ファイル",
  "an emoji": "🔥fire",
  "a tab and a newline": "a\tb\nc",
} as const;

describe("Tool-name globs (issue 9, item 15)", () => {
  for (const [what, name] of Object.entries(SPECIAL_NAMES)) {
    test(`deny ["*"] denies a tool whose name holds ${what}`, () => {
      expect(globMatches("*", name)).toBe(true);
      expect(toolAllowed({ allow: [], deny: ["*"] }, name)).toBe(false);
      expect(toolAllowed({ allow: [name], deny: [] }, name)).toBe(true);
      expect(toolAllowed({ allow: ["*"], deny: [] }, name)).toBe(true);
      // A pattern holding the name itself matches it literally (and, without a wildcard, nothing else).
      expect(globMatches(name, name)).toBe(true);
      expect(globMatches(`*${name}`, `x/${name}`)).toBe(true);
      if (!/[*?]/.test(name)) expect(globMatches(name, `${name}x`)).toBe(false);
    });
  }

  test("`*` crosses slashes and dots; a prefix glob matches names with either", () => {
    expect(toolAllowed({ allow: [], deny: ["fs/*"] }, "fs/write_file")).toBe(false);
    expect(toolAllowed({ allow: [], deny: ["fs*"] }, "fs/a/b.c")).toBe(false);
    expect(toolAllowed({ allow: [], deny: ["write_*"] }, "write_file/now")).toBe(false);
    expect(toolAllowed({ allow: [], deny: ["*_file"] }, "a/b/write_file")).toBe(false);
    expect(toolAllowed({ allow: [], deny: ["*.*"] }, "files.read")).toBe(false);
    expect(toolAllowed({ allow: ["read_*"], deny: [] }, "read_/etc/passwd")).toBe(true);
    expect(toolAllowed({ allow: ["read_*"], deny: [] }, "write_file")).toBe(false);
  });

  test("`?` is exactly one character, an emoji or an accented letter included", () => {
    expect(globMatches("?", "/")).toBe(true);
    expect(globMatches("?", "🔥")).toBe(true);
    expect(globMatches("?", "é")).toBe(true);
    expect(globMatches("?", "ab")).toBe(false);
    expect(globMatches("?", "")).toBe(false);
    expect(globMatches("a?c", "a.c")).toBe(true);
    expect(globMatches("??", "🔥")).toBe(false);
  });

  test("a glob matches the whole name, not a part of it", () => {
    expect(globMatches("write", "write_file")).toBe(false);
    expect(globMatches("file", "write_file")).toBe(false);
    expect(globMatches("*file", "file_writer")).toBe(false);
    expect(globMatches("a*b*c", "abc")).toBe(true);
    expect(globMatches("a*b*c", "a/b/c")).toBe(true);
    expect(globMatches("a*b*c", "acb")).toBe(false);
    expect(globMatches("ab*ba", "aba")).toBe(false);
    expect(globMatches("", "")).toBe(true);
    expect(globMatches("", "x")).toBe(false);
    expect(globMatches("**", "")).toBe(true);
  });

  test("a hostile name of 64 KiB against a many-star pattern is matched in well under a second", () => {
    const name = "a".repeat(65_536);
    const started = performance.now();
    expect(globMatches("*a*a*a*a*a*a*a*a*b", name)).toBe(false);
    expect(globMatches(`*${"?".repeat(100)}*b`, name)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
