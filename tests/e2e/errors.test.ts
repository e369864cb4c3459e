// Usage and config errors end to end: each exits 2 with one clear message on stderr, nothing on stdout,
// no stack trace, nothing started, and never a secret from the environment in what it prints.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { demoProvidersYaml, type Run, runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";

const PACKAGE_VERSION = ((await Bun.file(join(ROOT, "package.json")).json()) as { version: string }).version;
const ONE_CALL = '[{"provider":"x","tool":"echo","arguments":{"message":"hi"}}]';
const TIMEOUT_MS = 20_000;
/** The one line every command prints when it falls back to the demo providers (before reading the batch). */
const DEMO_NOTICE = /^No config found .* using the built-in demo providers .*\n/;

/** A usage or config error: exit 2, nothing on stdout, a `hangar:` message and no stack trace. */
function expectUsageError(run: Run): string {
  expect(run.code).toBe(2);
  expect(run.stdout).toBe("");
  const stderr = run.stderr.replace(DEMO_NOTICE, "");
  expect(stderr).toStartWith("hangar: ");
  expect(stderr).not.toMatch(/^\s+at /m);
  return stderr;
}

describe("hangar call rejects bad input with exit 2", () => {
  test("a batch file that does not exist", async () => {
    using box = sandbox();
    const missing = join(box.cwd, "nope.json");
    const stderr = expectUsageError(await runHangar(["call", missing], box.options()));
    expect(stderr).toBe(`hangar: Cannot read batch file "${missing}": it does not exist\n`);
  });

  test("a batch file that is not valid JSON", async () => {
    using box = sandbox();
    const file = box.write("broken.json", '{"calls": [');
    const stderr = expectUsageError(await runHangar(["call", file], box.options()));
    expect(stderr).toStartWith(`hangar: The batch in "${file}" is not valid JSON: `);
  });

  test("invalid JSON on stdin", async () => {
    using box = sandbox();
    const stderr = expectUsageError(await runHangar(["call", "-"], box.options({}, "[{")));
    expect(stderr).toStartWith("hangar: The batch in stdin is not valid JSON: ");
  });

  test("a batch whose calls are not an array", async () => {
    using box = sandbox();
    const file = box.write("calls.json", '{"calls": {"provider": "demo", "tool": "echo"}}');
    const stderr = expectUsageError(await runHangar(["call", file], box.options()));
    expect(stderr).toContain("hangar: Invalid batch: calls: ");
    expect(stderr).toContain("expected array");
  });

  test("a batch with more calls than the config's max_batch_size, before any provider starts", async () => {
    using box = sandbox();
    const config = box.write("hangar.yaml", demoProvidersYaml(["x"], "max_batch_size: 2\n"));
    const file = box.write("three.json", JSON.stringify(Array.from({ length: 3 }, () => JSON.parse(ONE_CALL)[0])));
    const stderr = expectUsageError(await runHangar(["--config", config, "call", file], box.options()));
    expect(stderr).toBe(
      "hangar: Invalid batch: it has 3 calls and the limit is 2 (max_batch_size); split it into smaller batches\n",
    );
  });
});

describe("hangar refuses a bad config with exit 2", () => {
  test("a typo'd key is named with file:line:col and the key it should be", async () => {
    using box = sandbox();
    const config = box.write("hangar.yaml", `${demoProvidersYaml(["x"])}    idel_ttl_s: 5\n`);
    const stderr = expectUsageError(await runHangar(["call", "-"], box.options({}, ONE_CALL)));
    expect(stderr).toBe(
      `hangar: Invalid config ${config} (1 problem):\n` +
        `  ${config}:4:5: providers[0].idel_ttl_s is not a known key; did you mean \`idle_ttl_s\`?\n`,
    );
  });

  test("--config naming a file that does not exist", async () => {
    using box = sandbox();
    const stderr = expectUsageError(
      await runHangar(["--config", "missing.yaml", "call", "-"], box.options({}, ONE_CALL)),
    );
    expect(stderr).toBe(`hangar: Config file ${join(box.cwd, "missing.yaml")} (given with --config) does not exist\n`);
  });

  test("$HANGAR_CONFIG naming a file that does not exist", async () => {
    using box = sandbox();
    const missing = join(box.root, "gone.yaml");
    const stderr = expectUsageError(await runHangar(["call", "-"], box.options({ HANGAR_CONFIG: missing }, ONE_CALL)));
    expect(stderr).toBe(`hangar: Config file ${missing} (named by $HANGAR_CONFIG) does not exist\n`);
  });

  test("an unset ${VAR} is named, with where it is used", async () => {
    using box = sandbox();
    const config = box.write("hangar.yaml", `${demoProvidersYaml(["x"])}    env: { TOKEN: "\${HANGAR_E2E_UNSET}" }\n`);
    const stderr = expectUsageError(await runHangar(["call", "-"], box.options({}, ONE_CALL)));
    expect(stderr).toContain(`${config}:4:20: providers[0].env.TOKEN uses \${HANGAR_E2E_UNSET}, which is not set`);
  });
});

describe("hangar never prints a secret", () => {
  const SECRET = `s3cr3t-${crypto.randomUUID()}`;
  /** A config whose env and headers carry the secret (from ${E2E_SECRET} and literally); `extra` is appended. */
  const secretConfig = (extra = "") =>
    `${demoProvidersYaml(["x"], "max_batch_size: 2\n")}    env: { API_TOKEN: "\${E2E_SECRET}", PLAIN: "${SECRET}" }\n` +
    `  - id: remote\n    url: "http://127.0.0.1:9/mcp"\n    headers: { Authorization: "Bearer \${E2E_SECRET}", X-Key: "${SECRET}" }\n` +
    extra;
  const withConfig = (extra: string) => (box: Sandbox) => {
    box.write("hangar.yaml", secretConfig(extra));
    return ["call", "-"];
  };
  const threeCalls = JSON.stringify(Array.from({ length: 3 }, () => JSON.parse(ONE_CALL)[0]));
  const cases: [string, number, string, (box: Sandbox) => string[]][] = [
    ["a missing batch file", 2, "does not exist", (box) => ["call", join(box.cwd, "missing.json")]],
    ["invalid JSON", 2, "is not valid JSON", (box) => ["call", box.write("bad.json", `{"secret": "${SECRET}"`)]],
    [
      "calls that are not an array",
      2,
      "Invalid batch: calls",
      (box) => ["call", box.write("bad.json", '{"calls": 1}')],
    ],
    ["too many calls", 2, "(max_batch_size)", (box) => ["call", box.write("big.json", threeCalls)]],
    ["a typo'd key", 2, "providers[1].idel is not a known key", withConfig("    idel: 1\n")],
    ["an unset ${VAR}", 2, "uses ${E2E_UNSET}, which is not set", withConfig('    description: "${E2E_UNSET}"\n')],
    [
      "a header of the wrong type",
      2,
      "headers.A expected a string",
      withConfig(`  - id: other\n    url: "http://127.0.0.1:9/mcp"\n    headers: { A: ["${SECRET}"] }\n`),
    ],
    [
      "a YAML syntax error beside it",
      2,
      "Invalid YAML",
      withConfig(`  - id: other\n    url: "http://127.0.0.1:9/mcp"\n    headers: { A: "${SECRET}", B: [ }\n`),
    ],
    [
      "a missing --config file",
      2,
      "(given with --config) does not exist",
      () => ["--config", "missing.yaml", "call", "-"],
    ],
    ["failing providers, with --verbose", 1, "Cannot reach provider", () => ["--verbose", "call", "--json", "-"]],
  ];
  test.each(cases)(
    "not on %s",
    async (_, code, expected, argsOf) => {
      using box = sandbox();
      box.write("hangar.yaml", secretConfig());
      const args = argsOf(box);
      const calls = '[{"provider":"remote","tool":"t"},{"provider":"x","tool":"fail","arguments":{"message":"no"}}]';
      const run = await runHangar(args, box.options({ E2E_SECRET: SECRET }, calls));
      expect(run.code).toBe(code);
      expect(run.stderr).toContain(expected);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    },
    TIMEOUT_MS,
  );
});

describe("hangar's own commands", () => {
  test("--version prints the version from package.json", async () => {
    using box = sandbox();
    const run = await runHangar(["--version"], box.options());
    expect(run).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: "" });
  });

  test("--help lists the commands and exits 0", async () => {
    using box = sandbox();
    const run = await runHangar(["--help"], box.options());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: hangar");
    expect(run.stdout).toContain("call ");
  });

  test("call --help explains the batch, select, max_result_bytes, $hangar.ref and the exit codes, and exits 0", async () => {
    using box = sandbox();
    const run = await runHangar(["call", "--help"], box.options());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--ndjson");
    expect(run.stdout).toContain("Exit codes");
    for (const field of ['"select"', '"max_result_bytes"', '"$hangar.ref"']) expect(run.stdout).toContain(field);
  });

  test("an unknown command is a usage error (exit 2)", async () => {
    using box = sandbox();
    const run = await runHangar(["lanuch"], box.options());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("unknown command 'lanuch'");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test("`hangar help` of no command says so, as `hangar <name>` does, instead of the whole help", async () => {
    using box = sandbox();
    const run = await runHangar(["help", "serv"], box.options());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("unknown command 'serv'");
    expect(run.stderr).toContain("serve");
    expect(run.stderr).not.toContain("Commands:");
    const known = await runHangar(["help", "call"], box.options());
    expect(known.code).toBe(0);
    expect(known.stdout).toContain("--ndjson");
  });
});
