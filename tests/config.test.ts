import { describe, expect, test } from "bun:test";
import { demoConfig, type ResolvedProvider } from "../src/config/index.ts";
import { FILE, parse, problemsOf, provider } from "./fixtures/config/helpers.ts";

describe("Config file formats", () => {
  test("A YAML providers list resolves into stdio, docker and http providers", () => {
    const config = parse(
      [
        "max_concurrency: 16",
        "providers:",
        "  - id: github",
        '    command: ["uvx", "mcp-server-github"]',
        '    env: { GITHUB_TOKEN: "${GITHUB_TOKEN}" }',
        "    cwd: ~/src",
        "  - id: docker-provider",
        "    image: my-registry/mcp-server:latest",
        "    network: bridge",
        '    volumes: ["~/data:/data:ro"]',
        "  - id: remote-provider",
        '    url: "https://api.example.com/mcp"',
        '    headers: { Authorization: "Bearer ${API_TOKEN}" }',
        "    transport: sse",
      ].join("\n"),
      { GITHUB_TOKEN: "gh-token", API_TOKEN: "api-token" },
    );
    expect(config.source).toEqual({ kind: "file", path: FILE });
    expect(config.maxConcurrency).toBe(16);
    expect(config.maxBatchSize).toBe(500);
    expect(config.providers.map((p) => p.transport)).toEqual([
      {
        kind: "stdio",
        command: "uvx",
        args: ["mcp-server-github"],
        env: { GITHUB_TOKEN: "gh-token" },
        cwd: "/home/user/src",
        // Handed to the remote provider by `${API_TOKEN}`, so not inherited here (issue 9, item 21).
        envWithheld: ["API_TOKEN"],
      },
      {
        kind: "docker",
        image: "my-registry/mcp-server:latest",
        network: "bridge",
        env: {},
        volumes: ["/home/user/data:/data:ro"],
        args: [],
        envWithheld: ["API_TOKEN", "GITHUB_TOKEN"],
      },
      {
        kind: "http",
        url: "https://api.example.com/mcp",
        headers: { Authorization: "Bearer api-token" },
        protocol: "sse",
      },
    ]);
  });

  test("A JSON mcpServers map (Claude Desktop style) becomes providers named by their keys", () => {
    const json = JSON.stringify({
      mcpServers: {
        memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"], env: { A: "1" } },
        remote: { url: "https://example.com/mcp", type: "http", headers: { "X-Key": "k" } },
        legacy: { url: "https://example.com/sse", type: "sse" },
        plain: { url: "https://example.com/mcp" },
        local: { type: "stdio", command: "node", args: ["server.js"], cwd: "sub" },
      },
    });
    const config = parse(json);
    expect(config.providers.map((p) => p.id)).toEqual(["memory", "remote", "legacy", "plain", "local"]);
    expect(config.providers[0]?.transport).toEqual({
      kind: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
      env: { A: "1" },
      cwd: undefined,
    });
    const protocols = config.providers.map((p) =>
      p.transport.kind === "http" ? p.transport.protocol : p.transport.kind,
    );
    expect(protocols).toEqual(["stdio", "streamable-http", "sse", "auto", "stdio"]);
    expect(config.providers[4]?.transport).toMatchObject({ cwd: "/cfg/sub" });
  });

  test("A YAML mcpServers map works like the JSON one", () => {
    const config = parse("mcpServers:\n  fs:\n    command: npx\n    args: [-y, server-filesystem, /tmp]\n");
    expect(config.providers[0]?.transport).toMatchObject({
      kind: "stdio",
      command: "npx",
      args: ["-y", "server-filesystem", "/tmp"],
    });
  });

  test("A file may hold both providers and mcpServers; providers come first and defaults apply to both", () => {
    const config = parse(
      "defaults: { idle_ttl_s: 10 }\nproviders:\n  - { id: a, command: x }\nmcpServers:\n  b: { command: y }\n",
    );
    expect(config.providers.map((p) => [p.id, p.idleTtlMs])).toEqual([
      ["a", 10_000],
      ["b", 10_000],
    ]);
  });

  test("A disabled mcpServers entry is skipped, even when it uses an unset variable", () => {
    const config = parse('{"mcpServers": {"on": {"command": "x"}, "off": {"command": "${UNSET}", "disabled": true}}}');
    expect(config.providers.map((p) => p.id)).toEqual(["on"]);
  });

  test("Keys other clients put in mcpServers entries are ignored", () => {
    const json =
      '{"mcpServers": {"m": {"command": "x", "alwaysAllow": ["t"], "autoApprove": [], "timeout": 5, "description": "${NOPE}", "disabled": false}}}';
    expect(parse(json).providers[0]?.transport).toMatchObject({ kind: "stdio", command: "x" });
  });

  test("A foreign client config with extra top-level keys is read for its mcpServers only", () => {
    const json = JSON.stringify({
      numStartups: 12,
      projects: { "/x": { mcpServers: { nested: { command: "${UNSET}" } } } },
      mcpServers: { memory: { command: "npx", args: ["m"] } },
    });
    expect(parse(json).providers.map((p) => p.id)).toEqual(["memory"]);
  });

  test("Unknown top-level keys are errors when the file also has hangar's own keys", () => {
    const message = problemsOf("max_concurrency: 4\nprovider:\n  - { id: a, command: x }\nmcpServers: {}\n");
    expect(message).toContain("/cfg/hangar.yaml:2:1: provider is not a known key; did you mean `providers`?");
  });

  test("An empty file gives no providers and the top-level defaults", () => {
    const config = parse("# nothing yet\ndefaults:\n");
    expect(config).toMatchObject({ maxConcurrency: 64, maxBatchSize: 500, providers: [] });
  });
});

describe("Defaults and units", () => {
  const text = [
    "defaults:",
    "  idle_ttl_s: 0",
    "  call_timeout_s: 0.5",
    "  tools: { deny: ['delete_*'] }",
    "providers:",
    "  - id: own",
    "    command: x",
    "    idle_ttl_s: 12.25",
    "    retries: 2",
    "    tools: { allow: ['read_*'] }",
    "    expose: false",
    "  - { id: plain, command: y }",
  ].join("\n");

  test("Each setting comes from the provider, then defaults, then the built-in default", () => {
    expect(provider(text, "plain")).toEqual({
      id: "plain",
      transport: { kind: "stdio", command: "y", args: [], env: {}, cwd: undefined },
      description: undefined,
      idleTtlMs: 0,
      healthCheckIntervalMs: 60_000,
      maxConsecutiveFailures: 3,
      circuitCooldownMs: 30_000,
      maxConcurrency: 8,
      maxQueue: 1000,
      startupTimeoutMs: 30_000,
      callTimeoutMs: 500,
      retries: 0,
      tools: { allow: [], deny: ["delete_*"] },
      expose: true,
      prefix: true,
    });
    expect(provider(text, "own")).toMatchObject({
      idleTtlMs: 12_250,
      callTimeoutMs: 500,
      retries: 2,
      expose: false,
      tools: { allow: ["read_*"], deny: ["delete_*"] },
    });
  });

  test("defaults: {expose: false} makes a whole config search-only, mcpServers too; a provider's own expose wins (issue 14 item 3)", () => {
    const config = parse(
      [
        "defaults: { expose: false }",
        "providers:",
        "  - { id: quiet, command: x }",
        "  - { id: shown, command: y, expose: true }",
        "mcpServers:",
        "  imported: { command: z }",
      ].join("\n"),
    );
    expect(config.providers.map((p) => [p.id, p.expose])).toEqual([
      ["quiet", false],
      ["shown", true],
      ["imported", false],
    ]);
  });

  test("Seconds in the file become milliseconds, fractional seconds included", () => {
    const p = provider(
      "providers:\n  - { id: a, command: x, startup_timeout_s: 1.5, health_check_interval_s: 0.25, circuit_cooldown_s: 2 }",
      "a",
    );
    expect([p.startupTimeoutMs, p.healthCheckIntervalMs, p.circuitCooldownMs]).toEqual([1500, 250, 2000]);
  });

  test("A single-string command takes its arguments from args; a relative cwd is relative to the file", () => {
    const p = provider("providers:\n  - { id: a, command: node, args: [s.js, --x], cwd: ./work }", "a");
    expect(p.transport).toEqual({ kind: "stdio", command: "node", args: ["s.js", "--x"], env: {}, cwd: "/cfg/work" });
  });

  test("The resolved config is deeply frozen", () => {
    const config = parse(text);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.providers)).toBe(true);
    expect(Object.isFrozen(config.providers[0]?.tools.allow)).toBe(true);
    expect(Object.isFrozen(config.providers[0]?.transport)).toBe(true);
    expect(() => {
      (config.providers as ResolvedProvider[]).push(config.providers[0] as ResolvedProvider);
    }).toThrow();
  });

  test("The demo config has providers demo and demo2 that re-run hangar, with every default", () => {
    const config = demoConfig(["/usr/bin/bun", "/app/src/main.ts"]);
    expect(config.source).toEqual({ kind: "demo" });
    expect(config.providers.map((p) => p.transport)).toEqual([
      {
        kind: "stdio",
        command: "/usr/bin/bun",
        args: ["/app/src/main.ts", "demo-provider", "--name", "demo"],
        env: {},
        cwd: undefined,
      },
      {
        kind: "stdio",
        command: "/usr/bin/bun",
        args: ["/app/src/main.ts", "demo-provider", "--name", "demo2"],
        env: {},
        cwd: undefined,
      },
    ]);
    expect(config.providers[1]).toMatchObject({ idleTtlMs: 300_000, maxConcurrency: 8, callTimeoutMs: 60_000 });
    expect(Object.isFrozen(config.providers[0]?.transport)).toBe(true);
  });
});
