// Issue 11: an unchanged YAML config is read by Bun's native parser once the yaml library was seen to
// read the same text the same way; what the config means, and where its problems are, never changes.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type ResolvedConfig } from "../src/config/index.ts";
import { fileYamlMemo } from "../src/config/yaml-memo.ts";
import { sandbox } from "./helpers/e2e.ts";

/** Loads `text` as a config file twice, remembering parser verdicts in the sandbox; each load's config or error. */
function loadTwice(text: string) {
  const box = sandbox();
  const path = box.write("hangar.yaml", text);
  const memoDir = join(box.root, "cache");
  const load = () =>
    loadConfig({ path, env: box.env, home: box.home, selfCommand: ["hangar"], yamlMemoDir: memoDir }).then(
      (config: ResolvedConfig) => ({ config }),
      (error: Error) => ({ error: error.message }),
    );
  return { box, path, memoDir, memo: fileYamlMemo(memoDir, path), load };
}

describe("config read with the native YAML parser (issue 11)", () => {
  test("a config read again unchanged comes out the same, and the native parser is vouched for it", async () => {
    const text = [
      "max_concurrency: 4",
      "defaults: { call_timeout_s: 30 }",
      "providers:",
      '  - { id: a, command: ["x", "--flag"], env: { A: "1" } }',
      "  - id: b",
      "    command: y",
      "    tools:",
      "      allow: [read_*]",
      "mcpServers:",
      "  c: { command: z, args: [--port, '8000'] }",
      "",
    ].join("\n");
    const { box, memo, load } = loadTwice(text);
    using _ = box;
    const first = await load();
    expect(memo.agrees(text)).toBe(true);
    expect(await load()).toEqual(first);
    expect("config" in first && first.config.providers.map((p) => p.id)).toEqual(["a", "b", "c"]);
  });

  test("a problem found in a config read the native way still names its file, line and column", async () => {
    const text = "providers:\n  - id: a\n    command: x\n    idle_ttl_s: -1\n  - { id: a, command: y }\n";
    const { box, path, memo, load } = loadTwice(text);
    using _ = box;
    const first = await load();
    expect(memo.agrees(text)).toBe(true);
    expect(await load()).toEqual(first);
    expect("error" in first && first.error).toContain(`${path}:4:17: providers[0].idle_ttl_s expected a number ≥ 0`);
    expect("error" in first && first.error).toContain(
      `${path}:5:11: providers[1].id repeats the id of providers[0].id`,
    );
  });

  test("a text the native parser reads differently (merge keys, duplicate keys) is always read by the yaml library", async () => {
    for (const text of ["defaults:\n  <<: { max_concurrency: 3 }\nproviders: []\n", "providers: []\nproviders: []\n"]) {
      const { box, memo, load } = loadTwice(text);
      using _ = box;
      const first = await load();
      expect("error" in first).toBe(true);
      expect(memo.agrees(text)).toBe(false);
      expect(await load()).toEqual(first);
    }
  });

  test("the verdict kept on disk holds a hash of the config, never its text (it may hold secrets)", async () => {
    const { box, memoDir, load } = loadTwice('providers:\n  - { id: a, command: x, env: { TOKEN: "s3cret-token" } }\n');
    using _ = box;
    await load();
    const files = readdirSync(memoDir);
    expect(files.length).toBe(1);
    for (const name of files) expect(readFileSync(join(memoDir, name), "utf8")).not.toContain("s3cret");
  });
});
