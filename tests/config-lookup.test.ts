import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeSource, loadConfig } from "../src/config/index.ts";
import { ConfigError } from "../src/errors.ts";

const SELF = ["/usr/bin/hangar"];

/** A fresh temp dir with `cwd/` and `home/`, and a way to write a config naming its provider. */
function sandbox() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), "hangar-config-")));
  const cwd = join(root, "cwd");
  const home = join(root, "home");
  mkdirSync(join(home, ".hangar"), { recursive: true });
  mkdirSync(cwd);
  const write = (path: string, id: string) => {
    writeFileSync(path, `providers:\n  - { id: ${id}, command: x }\n`);
    return path;
  };
  return { root, cwd, home, write };
}

async function loadedIds(options: Parameters<typeof loadConfig>[0]): Promise<string[]> {
  return (await loadConfig(options)).providers.map((p) => p.id);
}

describe("Config lookup", () => {
  test("An explicit path wins over $HANGAR_CONFIG, ./hangar.yaml and ~/.hangar/config.yaml", async () => {
    const { root, cwd, home, write } = sandbox();
    write(join(root, "explicit.yaml"), "explicit");
    const fromEnv = write(join(root, "env.yaml"), "from_env");
    write(join(cwd, "hangar.yaml"), "in_cwd");
    write(join(home, ".hangar", "config.yaml"), "in_home");
    const env = { HANGAR_CONFIG: fromEnv };
    expect(await loadedIds({ path: "../explicit.yaml", env, cwd, home, selfCommand: SELF })).toEqual(["explicit"]);
    expect(await loadedIds({ env, cwd, home, selfCommand: SELF })).toEqual(["from_env"]);
    expect(await loadedIds({ env: {}, cwd, home, selfCommand: SELF })).toEqual(["in_cwd"]);
  });

  test("~/.hangar/config.yaml is used when there is nothing else, with home taken from $HOME", async () => {
    const { cwd, home, write } = sandbox();
    const path = write(join(home, ".hangar", "config.yaml"), "in_home");
    const config = await loadConfig({ env: { HOME: home }, cwd, selfCommand: SELF });
    expect(config.providers.map((p) => p.id)).toEqual(["in_home"]);
    expect(config.source).toEqual({ kind: "file", path });
    expect(describeSource(config)).toBe(`Using config ${path}`);
  });

  test("./hangar.yml and ./hangar.json are accepted too, and the source path is absolute", async () => {
    const { cwd, home } = sandbox();
    writeFileSync(join(cwd, "hangar.json"), '{"mcpServers": {"js": {"command": "x"}}}');
    const config = await loadConfig({ env: {}, cwd, home, selfCommand: SELF });
    expect(config.source).toEqual({ kind: "file", path: join(cwd, "hangar.json") });
    writeFileSync(join(cwd, "hangar.yml"), "providers:\n  - { id: yml, command: x }\n");
    expect(await loadedIds({ env: {}, cwd, home, selfCommand: SELF })).toEqual(["yml"]);
  });

  test("An explicit path that does not exist is a ConfigError, and so is a missing $HANGAR_CONFIG", async () => {
    const { cwd, home, write } = sandbox();
    write(join(cwd, "hangar.yaml"), "in_cwd");
    const missing = loadConfig({ path: "nope.yaml", env: {}, cwd, home, selfCommand: SELF });
    await expect(missing).rejects.toThrow(ConfigError);
    await expect(missing).rejects.toThrow(`Config file ${join(cwd, "nope.yaml")} (given with --config) does not exist`);
    const fromEnv = loadConfig({ env: { HANGAR_CONFIG: "/no/such.yaml" }, cwd, home, selfCommand: SELF });
    await expect(fromEnv).rejects.toThrow("(named by $HANGAR_CONFIG) does not exist");
  });

  test("An explicit path that is a loop of symbolic links, or runs through a file, says which", async () => {
    const { cwd, home, write } = sandbox();
    symlinkSync(join(cwd, "b.yaml"), join(cwd, "a.yaml"));
    symlinkSync(join(cwd, "a.yaml"), join(cwd, "b.yaml"));
    const loop = loadConfig({ path: "a.yaml", env: {}, cwd, home, selfCommand: SELF });
    await expect(loop).rejects.toThrow(
      `Config file ${join(cwd, "a.yaml")} (given with --config) is a loop of symbolic links`,
    );
    write(join(cwd, "plain"), "x");
    const through = loadConfig({ path: "plain/hangar.yaml", env: {}, cwd, home, selfCommand: SELF });
    await expect(through).rejects.toThrow("does not exist: a part of its path is not a folder");
  });

  test("No config anywhere gives the built-in demo config, and describeSource says so", async () => {
    const { cwd, home } = sandbox();
    const config = await loadConfig({ env: {}, cwd, home, selfCommand: SELF });
    expect(config.source).toEqual({ kind: "demo" });
    expect(config.providers.map((p) => p.id)).toEqual(["demo", "demo2"]);
    expect(config.providers[0]?.transport).toMatchObject({
      command: "/usr/bin/hangar",
      args: ["demo-provider", "--name", "demo"],
    });
    expect(describeSource(config)).toBe(
      'No config found (looked for $HANGAR_CONFIG, ./hangar.yaml, ~/.hangar/config.yaml); using the built-in demo providers "demo" and "demo2"',
    );
  });

  test("loadConfig fills ${VAR} from the env it is given, and names the file in errors", async () => {
    const { cwd, home } = sandbox();
    const path = join(cwd, "hangar.yaml");
    writeFileSync(path, 'providers:\n  - id: a\n    command: x\n    env: { T: "${TOKEN}" }\n    cwd: ~/w\n');
    const config = await loadConfig({ env: { TOKEN: "abc" }, cwd, home, selfCommand: SELF });
    expect(config.providers[0]?.transport).toMatchObject({ env: { T: "abc" }, cwd: join(home, "w") });
    await expect(loadConfig({ env: {}, cwd, home, selfCommand: SELF })).rejects.toThrow(
      `${path}:4:16: providers[0].env.T uses \${TOKEN}, which is not set`,
    );
  });
});
