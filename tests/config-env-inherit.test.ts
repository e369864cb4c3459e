// What a provider's process inherits of hangar's environment (issue 9, item 21): hangar's secrets never,
// a variable the config hands to one provider not by the others, and `env_inherit` to narrow the rest.
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../src/observability/log.ts";
import { childEnv, createDriver, type SpawnRequest, systemSpawner } from "../src/providers/index.ts";
import { CatalogCache } from "../src/serve/catalog-cache.ts";
import { parse, problemsOf, provider } from "./fixtures/config/helpers.ts";
import { stdioProvider } from "./helpers/providers.ts";

const HANGAR_ENV = {
  PATH: "/usr/bin",
  HOME: "/home/user",
  LANG: "C.UTF-8",
  HANGAR_TOKEN: "bearer-secret",
  OTEL_EXPORTER_OTLP_HEADERS: "authorization=otlp-secret",
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: "authorization=otlp-secret",
  GITHUB_TOKEN: "ghp_secret",
  API_KEY: "api-secret",
  MY_SERVER_SETTING: "kept",
};

const CONFIG = [
  "providers:",
  "  - id: github",
  "    command: npx",
  '    env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_TOKEN}", EXTRA_PATH: "${PATH}:/opt/bin" }',
  "  - id: files",
  "    command: npx",
  "  - id: remote",
  '    url: "https://example.com/mcp"',
  '    headers: { Authorization: "Bearer ${API_KEY}" }',
  "  - id: boxed",
  "    image: example/mcp:1",
  "    env_inherit: [PATH, MY_SERVER_SETTING]",
  "mcpServers:",
  '  legacy: { command: "uvx", args: ["--token", "${LEGACY_TOKEN:-none}"] }',
].join("\n");

function envOf(id: string): Record<string, string> {
  const t = provider(CONFIG, id, HANGAR_ENV).transport;
  if (t.kind === "http") throw new Error("not a process provider");
  return childEnv(HANGAR_ENV, t);
}

describe("A provider's environment (issue 9, item 21)", () => {
  test("hangar's own secrets are never inherited, by any provider", () => {
    for (const id of ["github", "files", "boxed", "legacy"]) {
      const env = envOf(id);
      expect(env.HANGAR_TOKEN).toBeUndefined();
      expect(env.OTEL_EXPORTER_OTLP_HEADERS).toBeUndefined();
      expect(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS).toBeUndefined();
    }
  });

  test("a variable the config hands to one provider (env, headers or args) is not inherited by the others", () => {
    expect(envOf("github").GITHUB_TOKEN).toBe("ghp_secret");
    expect(envOf("github").GITHUB_PERSONAL_ACCESS_TOKEN).toBe("ghp_secret");
    expect(envOf("github").API_KEY).toBeUndefined();
    expect(envOf("files").GITHUB_TOKEN).toBeUndefined();
    expect(envOf("files").API_KEY).toBeUndefined();
    expect(provider(CONFIG, "files", HANGAR_ENV).transport).toMatchObject({
      envWithheld: ["API_KEY", "GITHUB_TOKEN", "LEGACY_TOKEN"],
    });
    expect(provider(CONFIG, "legacy", HANGAR_ENV).transport).toMatchObject({
      envWithheld: ["API_KEY", "GITHUB_TOKEN"],
    });
  });

  test("everything else is inherited as before, system variables included even when a provider's env uses them", () => {
    const env = envOf("files");
    expect(env.PATH).toBe("/usr/bin");
    expect(env.HOME).toBe("/home/user");
    expect(env.LANG).toBe("C.UTF-8");
    expect(env.MY_SERVER_SETTING).toBe("kept");
    expect(envOf("github").EXTRA_PATH).toBe("/usr/bin:/opt/bin");
  });

  test("env_inherit narrows what is inherited; the provider's own env always comes on top", () => {
    expect(envOf("boxed")).toEqual({ PATH: "/usr/bin", MY_SERVER_SETTING: "kept" });
    const none = parse("providers:\n  - { id: a, command: x, env_inherit: none, env: { ONLY: me } }\n", HANGAR_ENV);
    const t = none.providers[0]!.transport;
    if (t.kind !== "stdio") throw new Error("expected stdio");
    expect(childEnv(HANGAR_ENV, t)).toEqual({ ONLY: "me" });
    const all = parse("providers:\n  - { id: a, command: x, env_inherit: all }\n", HANGAR_ENV);
    expect(all.providers[0]!.transport).toMatchObject({ envInherit: "all" });
  });

  test("a config that says nothing about env resolves as before (same transport, same catalog cache key)", () => {
    const t = provider("providers:\n  - { id: a, command: x }\n", "a").transport;
    expect(t).toEqual({ kind: "stdio", command: "x", args: [], env: {}, cwd: undefined });
  });

  test("a wrong env_inherit is a located error", () => {
    const lines = problemsOf(
      [
        "providers:",
        "  - { id: a, command: x, env_inherit: some }",
        "  - { id: b, command: x, env_inherit: [PATH, 'not a name'] }",
        "  - { id: c, url: 'https://example.com/mcp', env_inherit: none }",
        "defaults:",
        "  env_inherit: none",
      ].join("\n"),
    ).split("\n");
    expect(lines).toEqual([
      "Invalid config /cfg/hangar.yaml (4 problems):",
      "  /cfg/hangar.yaml:2:39: providers[0].env_inherit expected `all`, `none` or a list of variable names",
      "  /cfg/hangar.yaml:3:46: providers[1].env_inherit[1] expected a variable name",
      "  /cfg/hangar.yaml:4:46: providers[2].env_inherit only applies to providers with `command` or `image`, not `url`",
      "  /cfg/hangar.yaml:6:3: defaults.env_inherit cannot be in `defaults`: it belongs to one provider; set it on each provider instead",
    ]);
  });

  test("an env_inherit list naming hangar's secret or another provider's variable is a located error", () => {
    const text = [
      "providers:",
      '  - { id: gh, command: x, env: { T: "${GITHUB_TOKEN}" } }',
      "  - { id: other, command: y, env_inherit: [PATH, HANGAR_TOKEN, GITHUB_TOKEN] }",
    ].join("\n");
    expect(problemsOf(text, HANGAR_ENV).split("\n")).toEqual([
      "Invalid config /cfg/hangar.yaml (2 problems):",
      '  /cfg/hangar.yaml:3:50: providers[1].env_inherit[1] names HANGAR_TOKEN, one of hangar\'s own secrets, never inherited; pass it with `env: { HANGAR_TOKEN: "${HANGAR_TOKEN}" }` if this provider needs it',
      '  /cfg/hangar.yaml:3:64: providers[1].env_inherit[2] names GITHUB_TOKEN, which the config hands to "gh" (`${GITHUB_TOKEN}`), so no other provider inherits it; pass it with `env: { GITHUB_TOKEN: "${GITHUB_TOKEN}" }` if this provider needs it',
    ]);
  });

  test("the docker client of an image provider gets the same environment: no secrets, its env for `-e NAME`", async () => {
    const config = parse(
      [
        "providers:",
        '  - { id: gh, command: x, env: { T: "${GITHUB_TOKEN}" } }',
        '  - { id: boxed, image: "example/mcp:1", env: { API_TOKEN: "${API_KEY}" } }',
      ].join("\n"),
      HANGAR_ENV,
    );
    const requests: SpawnRequest[] = [];
    const spawner = (request: SpawnRequest): never => {
      requests.push(request);
      throw new Error("not started in this test");
    };
    const driver = createDriver(config.providers[1]!, { spawner, logger: silentLogger, baseEnv: HANGAR_ENV });
    await driver.connect(AbortSignal.timeout(5_000), { probeTimeoutMs: 1_000 }).catch(() => {});
    expect(requests.map((r) => r.command)).toEqual(["docker"]);
    const env = requests[0]!.env;
    expect(env.API_TOKEN).toBe("api-secret");
    expect(env.API_KEY).toBe("api-secret");
    expect(env.HANGAR_TOKEN).toBeUndefined();
    expect(env.OTEL_EXPORTER_OTLP_HEADERS).toBeUndefined();
    expect(env.GITHUB_TOKEN).toBeUndefined();
    expect(env.PATH).toBe("/usr/bin");
  });

  test("env_inherit, and what is handed to other providers, are part of the catalog cache key; no env setting keeps the old key", () => {
    const cache = new CatalogCache("/nonexistent");
    const file = (text: string) => cache.fileOf(provider(text, "a"));
    const plain = file("providers:\n  - { id: a, command: x }\n");
    // The same key as a transport built without the new fields (as every config was before).
    expect(plain).toBe(cache.fileOf(stdioProvider("a", ["x"])));
    expect(file("providers:\n  - { id: a, command: x, env_inherit: none }\n")).not.toBe(plain);
    expect(file('providers:\n  - { id: a, command: x }\n  - { id: b, command: y, env: { K: "${K:-}" } }\n')).not.toBe(
      plain,
    );
  });

  test("with env_inherit: none (no PATH of its own), a bare command is still found on hangar's PATH", async () => {
    const child = systemSpawner({ providerId: "a", command: "sh", args: ["-c", "exit 7"], env: {}, cwd: undefined });
    expect((await child.exited).code).toBe(7);
  });
});
