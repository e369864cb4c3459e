import { describe, expect, test } from "bun:test";
import { aliasBomb, parse, problemsOf } from "./fixtures/config/helpers.ts";

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
    // It names the id to use, the one `hangar init --import` would give it.
    expect(message).toContain("rename it (e.g. `my-server`), or let `hangar init --import` write a config");
    expect(problemsOf('mcpServers:\n  "a__b_ c": { command: x }\n')).toContain("(e.g. `a_b_-c`)");
  });

  test("An id that could shadow another provider's names (`__`, or a trailing `_`) is an error (issue 9, item 17)", () => {
    const text = [
      "providers:",
      "  - { id: a, command: x }",
      "  - { id: a__b, command: y }",
      "  - { id: c_, command: z }",
      "mcpServers:",
      "  d__e: { command: w }",
    ].join("\n");
    expect(problemsOf(text).split("\n")).toEqual([
      "Invalid config /cfg/hangar.yaml (3 problems):",
      "  /cfg/hangar.yaml:3:11: providers[1].id cannot hold `__` or end in `_`: exposed names are `<id>__<name>`, so it could take another provider's names; use one `_` or `-` instead",
      "  /cfg/hangar.yaml:4:11: providers[2].id cannot hold `__` or end in `_`: exposed names are `<id>__<name>`, so it could take another provider's names; use one `_` or `-` instead",
      "  /cfg/hangar.yaml:6:3: mcpServers.d__e has a name that becomes the id, which cannot hold `__` or end in `_`: exposed names are `<id>__<name>`, so it could take another provider's names; use one `_` or `-` instead",
    ]);
    expect(parse("providers:\n  - { id: _a-b_c, command: x }\n").providers[0]?.id).toBe("_a-b_c");
  });

  test("Keys that say what to launch cannot be in defaults", () => {
    expect(problemsOf("defaults:\n  command: x\n  idle_ttl: 3\n")).toContain(
      "/cfg/hangar.yaml:2:3: defaults.command cannot be in `defaults`",
    );
    expect(problemsOf("defaults:\n  idle_ttl: 3\n")).toContain(
      "defaults.idle_ttl is not a known key; did you mean `idle_ttl_s`?",
    );
    // How a remote server signs in belongs to that server too.
    expect(problemsOf("defaults:\n  auth: oauth\n")).toContain("defaults.auth cannot be in `defaults`");
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

  test("issue 9.14: a duration of 2^31 ms or more is refused at load, naming the maximum, for every duration key", () => {
    for (const key of [
      "idle_ttl_s",
      "health_check_interval_s",
      "circuit_cooldown_s",
      "startup_timeout_s",
      "call_timeout_s",
    ]) {
      expect(problemsOf(`providers:\n  - id: a\n    command: x\n    ${key}: 3000000\n`)).toBe(
        "Invalid config /cfg/hangar.yaml (1 problem):\n" +
          `  /cfg/hangar.yaml:4:${key.length + 7}: providers[0].${key} expected at most 2147483 seconds (about 24.8 days, the longest a timer can wait)`,
      );
      expect(problemsOf(`defaults:\n  ${key}: 2147484\n`)).toContain(
        `hangar.yaml:2:${key.length + 5}: defaults.${key} expected at most 2147483 seconds`,
      );
      expect(parse(`defaults:\n  ${key}: 2147483\n`).providers).toEqual([]);
    }
  });

  test("issue 9.25: .inf and .nan are named as what they are, not 'a number'", () => {
    const lines = problemsOf("max_concurrency: .inf\ndefaults:\n  call_timeout_s: .nan\n  idle_ttl_s: -.inf\n").split(
      "\n",
    );
    expect(lines.slice(1)).toEqual([
      "  /cfg/hangar.yaml:1:18: max_concurrency expected a finite number, got .inf",
      "  /cfg/hangar.yaml:3:19: defaults.call_timeout_s expected a finite number, got .nan",
      "  /cfg/hangar.yaml:4:15: defaults.idle_ttl_s expected a finite number, got -.inf",
    ]);
  });

  test("issue 9.13: a YAML alias bomb fails at once with a located error, and the yaml library's alias limit holds", () => {
    const bomb = aliasBomb();
    const started = performance.now();
    expect(problemsOf(bomb)).toBe(
      "Invalid YAML in /cfg/hangar.yaml (1 problem):\n" +
        "  /cfg/hangar.yaml:2:8: uses YAML aliases (`*name`) that expand to too many values (the limits are 100 uses of an anchor, weighted by the aliases inside it, and 100000 values in all); write the values out instead",
    );
    // Under the library's limit (a plain list repeated 90 times), but still more values than a config holds.
    const wide = `a: &a [${Array(2000).fill("1").join(",")}]\nproviders: [${Array(90).fill("*a").join(",")}]\n`;
    expect(problemsOf(wide)).toContain("hangar.yaml:2:13: uses YAML aliases");
    expect(performance.now() - started).toBeLessThan(2000);
    // A few aliases, as people use them, still work.
    const config = parse('providers:\n  - { id: a, command: &cmd ["bun", "s.ts"] }\n  - { id: b, command: *cmd }\n');
    expect(config.providers.map((p) => p.transport)).toEqual([
      config.providers[0]!.transport,
      config.providers[0]!.transport,
    ]);
  });
});
