import { describe, expect, test } from "bun:test";
import { problemsOf } from "./fixtures/config/helpers.ts";

describe("Config errors", () => {
  test("An unknown provider key names the closest known key with file, line and column", () => {
    const message = problemsOf("providers:\n  - id: a\n    command: x\n    idel_ttl_s: 5\n");
    expect(message).toBe(
      "Invalid config /cfg/hangar.yaml (1 problem):\n" +
        "  /cfg/hangar.yaml:4:5: providers[0].idel_ttl_s is not a known key; did you mean `idle_ttl_s`?",
    );
  });

  test("All problems are reported at once, in file order, after a one-sentence summary", () => {
    const text = [
      "max_concurrency: 0",
      "providers:",
      "  - id: a",
      "    command: x",
      "    idle_ttl_s: -1",
      "    transport: sse",
      "  - id: b",
      "    image: img",
      "    expose: yes-please",
    ].join("\n");
    const lines = problemsOf(text).split("\n");
    expect(lines).toEqual([
      "Invalid config /cfg/hangar.yaml (4 problems):",
      "  /cfg/hangar.yaml:1:18: max_concurrency expected a number ≥ 1",
      "  /cfg/hangar.yaml:5:17: providers[0].idle_ttl_s expected a number ≥ 0",
      "  /cfg/hangar.yaml:6:5: providers[0].transport only applies to providers with `url`, not `command`",
      "  /cfg/hangar.yaml:9:13: providers[1].expose expected true or false, got a string",
    ]);
  });

  test("Duplicate ids are an error, across providers and mcpServers", () => {
    const text =
      "providers:\n  - { id: gh, command: x }\n  - { id: gh, command: y }\nmcpServers:\n  gh: { command: z }\n";
    const message = problemsOf(text);
    expect(message).toContain("/cfg/hangar.yaml:3:11: providers[1].id repeats the id of providers[0].id (line 2)");
    expect(message).toContain("/cfg/hangar.yaml:5:3: mcpServers.gh repeats the id of providers[0].id (line 2)");
  });

  test("A provider needs exactly one of command, image or url", () => {
    expect(problemsOf("providers:\n  - { id: a, retries: 1 }\n")).toContain(
      "/cfg/hangar.yaml:2:5: providers[0] needs exactly one of `command` (a program to run), `image` (a docker image) or `url` (a remote server)",
    );
    expect(problemsOf("providers:\n  - id: a\n    command: x\n    url: http://h\n")).toContain(
      "/cfg/hangar.yaml:4:5: providers[0].url cannot be combined with `command`",
    );
    expect(problemsOf('{"mcpServers": {"m": {"args": []}}}')).toContain(
      "mcpServers.m needs `command` (a program to run) or `url`",
    );
  });

  test("A command list with args, and launch keys of another kind, are errors", () => {
    const message = problemsOf("providers:\n  - id: a\n    command: [x, y]\n    args: [z]\n    network: host\n");
    expect(message).toContain("4:5: providers[0].args is only allowed when `command` is a single string");
    expect(message).toContain("5:5: providers[0].network only applies to providers with `image`, not `command`");
  });

  test("A bad id is an error, and so is an mcpServers name that cannot be an id", () => {
    expect(problemsOf('providers:\n  - { id: "has space", command: x }\n')).toContain(
      "/cfg/hangar.yaml:2:11: providers[0].id expected an id of 1–32 letters, digits, `_` or `-`",
    );
    expect(problemsOf("providers:\n  - { command: x }\n")).toContain("providers[0].id is required (expected a string)");
    const message = problemsOf('{\n  "mcpServers": {\n    "my server": { "command": "x" }\n  }\n}');
    expect(message).toContain('/cfg/hangar.yaml:3:5: mcpServers["my server"] has a name that cannot be a provider id');
  });

  test("Keys that say what to launch cannot be in defaults", () => {
    expect(problemsOf("defaults:\n  command: x\n  idle_ttl: 3\n")).toContain(
      "/cfg/hangar.yaml:2:3: defaults.command cannot be in `defaults`",
    );
    expect(problemsOf("defaults:\n  idle_ttl: 3\n")).toContain(
      "defaults.idle_ttl is not a known key; did you mean `idle_ttl_s`?",
    );
  });

  test("A YAML syntax error names file, line and column", () => {
    const message = problemsOf("providers:\n  - id: a\n    command: [x, y\n");
    expect(message.split("\n")[0]).toBe("Invalid YAML in /cfg/hangar.yaml (1 problem):");
    expect(message).toMatch(/\/cfg\/hangar\.yaml:\d+:\d+: /);
    expect(problemsOf('{\n  "mcpServers": {\n    "a": { "command": "x" },,\n  }\n}')).toMatch(/hangar\.yaml:3:\d+: /);
    expect(problemsOf("a: 1\na: 2\n")).toContain("/cfg/hangar.yaml:2:1: Map keys must be unique");
  });

  test("Secret values never appear in any error message", () => {
    const secret = "s3cr3t-Value";
    const texts = [
      // YAML syntax error on the secret's own line
      `providers:\n  - id: a\n    env: { TOKEN: "${secret}" : }\n`,
      // wrong type, bad enum value, bad URL, bad id
      `providers:\n  - { id: a, command: x, idle_ttl_s: "${secret}" }\n`,
      `providers:\n  - { id: a, url: "https://h", transport: "${secret}" }\n`,
      `providers:\n  - { id: a, url: "ftp://user:${secret}@host/x?token=${secret}" }\n`,
      `providers:\n  - { id: "${secret} x", command: x }\n`,
      // unset variable next to a secret, unknown key with a secret value, headers on a stdio provider
      `providers:\n  - { id: a, url: "https://h", headers: { Authorization: "Bearer ${secret} \${UNSET}" } }\n`,
      `providers:\n  - { id: a, command: x, envv: { TOKEN: "${secret}" } }\n`,
      `providers:\n  - { id: a, command: x, headers: { Authorization: "${secret}" } }\n`,
      `{"mcpServers": {"m": {"url": "https://h?key=${secret}", "type": "stdio", "headers": {"k": 1}}}}`,
    ];
    for (const text of texts) {
      const message = problemsOf(text);
      expect(message).not.toContain(secret);
      expect(message).toMatch(/hangar\.yaml:\d+:\d+: /);
    }
  });
});
