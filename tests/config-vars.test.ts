import { describe, expect, test } from "bun:test";
import { parse, problemsOf, provider } from "./fixtures/config/helpers.ts";

describe("${VAR} in config values", () => {
  test("${VAR} and ${VAR:-default} are filled from the env object it is given", () => {
    const text = [
      "providers:",
      "  - id: a",
      '    command: ["${BIN}", "--port=${PORT:-8080}", "--mode=${MODE:-fast}"]',
      '    env: { TOKEN: "${TOKEN}", EMPTY: "${EMPTY}", FALLBACK: "${EMPTY:-used}" }',
    ].join("\n");
    const p = provider(text, "a", { BIN: "/bin/srv", MODE: "slow", TOKEN: "t0k", EMPTY: "" });
    expect(p.transport).toMatchObject({
      command: "/bin/srv",
      args: ["--port=8080", "--mode=slow"],
      env: { TOKEN: "t0k", EMPTY: "", FALLBACK: "used" },
    });
  });

  test("A name that is a property of every object (${constructor}, ${toString}) is an unset variable", () => {
    const text = 'providers:\n  - { id: a, command: [echo, "${constructor}", "${toString:-fallback}"] }\n';
    expect(problemsOf(text, {})).toContain("uses ${constructor}, which is not set");
    const p = provider('providers:\n  - { id: a, command: [echo, "${toString:-fallback}"] }\n', "a", {});
    expect(p.transport).toMatchObject({ args: ["fallback"] });
  });

  test("Keys are never interpolated, only values", () => {
    const p = provider('providers:\n  - id: a\n    command: x\n    env: { "${NAME}": "v" }\n', "a", { NAME: "n" });
    expect(p.transport).toMatchObject({ env: { "${NAME}": "v" } });
  });

  test("$${VAR} yields the literal text ${VAR}", () => {
    const p = provider('providers:\n  - { id: a, command: [echo, "$${HOME} and $$5"] }\n', "a", { HOME: "/h" });
    expect(p.transport).toMatchObject({ args: ["${HOME} and $$5"] });
  });

  test("An unset ${VAR} names the variable, file, line, column and key path", () => {
    const text = [
      "providers:",
      "  - id: github",
      '    command: ["uvx", "mcp-server-github"]',
      '    env: { GITHUB_TOKEN: "Bearer ${GITHUB_TOKEN}" }',
    ].join("\n");
    expect(problemsOf(text)).toBe(
      [
        "Invalid config /cfg/hangar.yaml (1 problem):",
        "  /cfg/hangar.yaml:4:34: providers[0].env.GITHUB_TOKEN uses ${GITHUB_TOKEN}, which is not set; set it or write ${GITHUB_TOKEN:-default}",
      ].join("\n"),
    );
  });

  test("An unset ${VAR} in a URL is reported once, for the variable", () => {
    const message = problemsOf('providers:\n  - { id: r, url: "${API_URL}" }\n');
    expect(message).toContain("(1 problem)");
    expect(message).toContain("providers[0].url uses ${API_URL}, which is not set");
  });

  test("A substituted URL is checked after substitution", () => {
    const config = parse('providers:\n  - { id: r, url: "${API_URL}/mcp" }\n', { API_URL: "https://x.example" });
    expect(config.providers[0]?.transport).toMatchObject({ url: "https://x.example/mcp" });
  });

  test("A malformed ${ is an error that suggests $${ for a literal", () => {
    const message = problemsOf('providers:\n  - { id: a, command: x, env: { A: "${not closed" } }\n');
    expect(message).toContain("/cfg/hangar.yaml:2:37: providers[0].env.A has a `${` that is not `${NAME}`");
    expect(message).toContain("write `$${` for a literal `${`");
  });
});
