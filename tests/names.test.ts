import { describe, expect, test } from "bun:test";
import {
  exposedUri,
  MAX_NAME_LENGTH,
  NameTable,
  parsePrefixedUri,
  prefixedName,
  templateMatches,
} from "../src/serve/names.ts";

describe("Exposed names", () => {
  test("a provider's tool is <id>__<tool>, and maps back", () => {
    const table = new NameTable([{ providerId: "github", prefix: true, names: ["search_repos"] }]);
    expect(table.nameOf("github", "search_repos")).toBe("github__search_repos");
    expect(table.resolve("github__search_repos")).toEqual({ providerId: "github", name: "search_repos" });
    expect(table.resolve("search_repos")).toBeUndefined();
  });

  test("names longer than 64 characters are cut and end in a hash: unique, stable, and still reversible", () => {
    const id = "a-provider-with-a-long-id-000001";
    const long = [`${"x".repeat(60)}_one`, `${"x".repeat(60)}_two`];
    const table = new NameTable([{ providerId: id, prefix: true, names: long }]);
    const shown = long.map((name) => table.nameOf(id, name)!);
    expect(shown.every((name) => name.length === MAX_NAME_LENGTH)).toBe(true);
    expect(new Set(shown).size).toBe(2);
    expect(shown.map((name) => table.resolve(name)!.name)).toEqual(long);
    expect(prefixedName(id, long[0]!)).toBe(shown[0]!);
  });

  test("names with characters model APIs refuse become portable, unique and reversible", () => {
    const table = new NameTable([
      { providerId: "files", prefix: true, names: ["files.read", "files_read", "list dir"] },
      { providerId: "web", prefix: false, names: ["fetch/url"] },
    ]);
    const shown = ["files.read", "files_read", "list dir"].map((name) => table.nameOf("files", name)!);
    expect(shown[1]).toBe("files__files_read");
    expect(shown[0]).toMatch(/^files__files_read_[0-9a-f]{8}$/);
    expect(shown[2]).toMatch(/^files__list_dir_[0-9a-f]{8}$/);
    expect(table.nameOf("web", "fetch/url")).toMatch(/^web__fetch_url_[0-9a-f]{8}$/);
    for (const name of [...shown, table.nameOf("web", "fetch/url")!]) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(table.resolve(shown[0]!)).toEqual({ providerId: "files", name: "files.read" });
  });

  test("adding a provider does not rename the tools of the others", () => {
    const before = new NameTable([{ providerId: "a", prefix: true, names: ["x", "y"] }]);
    const after = new NameTable([
      { providerId: "a", prefix: true, names: ["x", "y"] },
      { providerId: "b", prefix: true, names: ["x"] },
    ]);
    expect(["x", "y"].map((n) => after.nameOf("a", n))).toEqual(["x", "y"].map((n) => before.nameOf("a", n)));
  });

  test("prefix: false keeps a provider's own names unless they collide with another provider or a reserved name", () => {
    const table = new NameTable(
      [
        { providerId: "files", prefix: false, names: ["read_file", "search", "hangar_call"] },
        { providerId: "web", prefix: true, names: ["search"] },
      ],
      new Set(["hangar_call"]),
    );
    expect(table.nameOf("files", "read_file")).toBe("read_file");
    expect(table.nameOf("files", "search")).toBe("files__search");
    expect(table.nameOf("files", "hangar_call")).toBe("files__hangar_call");
    expect(table.resolve("hangar_call")).toBeUndefined();
  });

  test("resource URIs and templates are prefixed reversibly; unprefixed ones stay as they are", () => {
    const uri = exposedUri("everything", "demo://resource/static/document/1.md", true);
    expect(uri).toBe("hangar://everything/demo://resource/static/document/1.md");
    expect(parsePrefixedUri(uri)).toEqual({ providerId: "everything", name: "demo://resource/static/document/1.md" });
    expect(parsePrefixedUri(exposedUri("t", "file:///x/{name}", true))).toEqual({
      providerId: "t",
      name: "file:///x/{name}",
    });
    expect(exposedUri("files", "file:///tmp/a", false)).toBe("file:///tmp/a");
    expect(parsePrefixedUri("file:///tmp/a")).toBeUndefined();
  });
});

describe("Resource template matching", () => {
  test("each {var} stands for one or more characters; literal parts must match in order", () => {
    expect(templateMatches("file:///{path}", "file:///a/b.txt")).toBe(true);
    expect(templateMatches("file:///{path}", "file:///")).toBe(false);
    expect(templateMatches("db://{table}/{id}", "db://users/42")).toBe(true);
    expect(templateMatches("db://{table}/{id}", "db://users/")).toBe(false);
    expect(templateMatches("db://{table}/{id}", "db:///42")).toBe(false);
    expect(templateMatches("{a}{b}", "x")).toBe(false);
    expect(templateMatches("{a}{b}", "xy")).toBe(true);
    expect(templateMatches("a{x}a", "a")).toBe(false);
    expect(templateMatches("a{x}a", "aba")).toBe(true);
    expect(templateMatches("plain://uri", "plain://uri")).toBe(true);
    expect(templateMatches("plain://uri", "plain://uri2")).toBe(false);
    expect(templateMatches("open{brace", "open{brace")).toBe(true);
  });

  test("agrees with the anchored regular expression on every short input", () => {
    const templates = ["{a}", "x{a}", "{a}x", "x{a}x", "{a}{b}", "{a}x{b}", "x{a}xx{b}x", "{a}-{b}-{c}", "ab{a}ba"];
    const alphabet = ["x", "-", "a", "b"];
    const inputs = [""];
    for (let length = 1; length <= 6; length++)
      for (const prefix of inputs.filter((s) => s.length === length - 1))
        for (const c of alphabet) inputs.push(prefix + c);
    for (const template of templates) {
      const source = template.split(/\{[^}]*\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      const reference = new RegExp(`^${source.join(".+")}$`);
      for (const uri of inputs)
        expect([template, uri, templateMatches(template, uri)]).toEqual([template, uri, reference.test(uri)]);
    }
  });

  test("issue 9.9: a 64 KiB pathological URI is matched in linear time", () => {
    const template = "t{a}-{b}-{c}-{d}-{e}-{f}-{g}-{h}-{i}-{j}-{k}-{l}!";
    const started = performance.now();
    expect(templateMatches(template, `t${"-".repeat(64 * 1024)}`)).toBe(false);
    expect(templateMatches(template, `t${"-".repeat(64 * 1024)}-!`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });
});

describe("Exposed names are unique (issue 9, items 16 and 17)", () => {
  test("a name a provider lists three times is exposed once", () => {
    const table = new NameTable([{ providerId: "h", prefix: true, names: ["dup", "dup", "dup", "x"] }]);
    expect(table.nameOf("h", "dup")).toBe("h__dup");
    expect(table.resolve("h__dup")).toEqual({ providerId: "h", name: "dup" });
    expect(table.collisions).toEqual([]);
  });

  test("a bare name holding `__` is always prefixed, so it can never take a prefixed name of a provider listed later", () => {
    const early = new NameTable([{ providerId: "x", prefix: false, names: ["a__b"] }]);
    expect(early.nameOf("x", "a__b")).toBe("x__a__b");
    const later = new NameTable([
      { providerId: "x", prefix: false, names: ["a__b"] },
      { providerId: "a", prefix: true, names: ["b"] },
    ]);
    expect(later.resolve("a__b")).toEqual({ providerId: "a", name: "b" });
    expect(later.nameOf("x", "a__b")).toBe("x__a__b");
  });

  test("a provider's own name beats another of its names that hashes to it, whatever the list order, and the loser is reported", () => {
    const hashed = prefixedName("p", "a.b");
    const lookalike = hashed.slice("p__".length);
    for (const names of [
      ["a.b", lookalike],
      [lookalike, "a.b"],
    ]) {
      const table = new NameTable([{ providerId: "p", prefix: true, names }]);
      expect(table.resolve(hashed)).toEqual({ providerId: "p", name: lookalike });
      expect(table.nameOf("p", "a.b")).toBeUndefined();
      expect(table.collisions).toEqual([
        { providerId: "p", name: "a.b", shown: hashed, owner: { providerId: "p", name: lookalike } },
      ]);
    }
  });

  test("a provider's name that would be a reserved name is reported as taken by hangar", () => {
    const table = new NameTable(
      [{ providerId: "p", prefix: true, names: ["hangar_call"] }],
      new Set(["p__hangar_call"]),
    );
    expect(table.nameOf("p", "hangar_call")).toBeUndefined();
    expect(table.collisions).toEqual([
      { providerId: "p", name: "hangar_call", shown: "p__hangar_call", owner: "reserved" },
    ]);
  });
});
