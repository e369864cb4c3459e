// Issue 13, "name the new knobs once": `--token-file` / `$HANGAR_TOKEN_FILE` (a mounted Secret),
// `--drain-s` / `$HANGAR_DRAIN_S` checked at start, and `$HANGAR_HOME` as the one folder hangar writes
// to (its cache and run registry), so a read-only root filesystem only needs that volume.
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ENV } from "../../src/knobs.ts";
import { demoProvidersYaml, runHangar, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 60_000;
const BATCH = JSON.stringify([{ provider: "demo", tool: "echo", arguments: { message: "hi" } }]);

/** POSTs the echo batch to /v1/call with this Authorization (none when undefined). */
async function call(base: string, authorization?: string): Promise<number> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== undefined) headers.authorization = authorization;
  const response = await fetch(`${base}/v1/call`, { method: "POST", headers, body: BATCH });
  await response.arrayBuffer();
  return response.status;
}

describe("Issue 13: the token from a file", () => {
  test.each([
    ["--token-file", (file: string) => ({ args: ["--token-file", file], env: {} })],
    ["$HANGAR_TOKEN_FILE", (file: string) => ({ args: [], env: { [ENV.tokenFile]: file } })],
  ] as const)(
    "%s: the token is the file's text without its trailing newline, required on /v1/call",
    async (_, given) => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      const file = box.write("token", "s3cret-from-a-secret\n");
      const { args, env } = given(file);
      await using http = await startHttpHangar(box, args, env);
      expect(await call(http.base)).toBe(401);
      expect(await call(http.base, "Bearer s3cret")).toBe(401);
      expect(await call(http.base, "Bearer s3cret-from-a-secret")).toBe(200);
    },
    TIMEOUT_MS,
  );

  test.each([
    [
      "--token with --token-file",
      ["--token", "a", "--token-file", "token"],
      {},
      "Give one of --token and --token-file",
    ],
    [
      "$HANGAR_TOKEN with $HANGAR_TOKEN_FILE",
      [],
      { HANGAR_TOKEN: "a", HANGAR_TOKEN_FILE: "token" },
      "Set one of $HANGAR_TOKEN and $HANGAR_TOKEN_FILE",
    ],
    ["a missing token file", ["--token-file", "missing"], {}, "Cannot read the token file"],
    ["an empty token file", ["--token-file", "empty"], {}, "is empty"],
    // A Bearer header carries no whitespace: such a token would refuse every request without saying why.
    ["a token of spaces", ["--token", "  "], {}, "The token (--token) holds whitespace"],
    ["a token with a space", [], { HANGAR_TOKEN: "two words" }, "The token ($HANGAR_TOKEN) holds whitespace"],
    ["a token file with a space", ["--token-file", "spaced"], {}, "The token (--token-file "],
    ["--drain-s soon", ["--drain-s", "soon"], {}, '--drain-s must be a number of seconds from 0 to 3600, not "soon"'],
    [
      "$HANGAR_DRAIN_S=-1",
      [],
      { HANGAR_DRAIN_S: "-1" },
      '$HANGAR_DRAIN_S must be a number of seconds from 0 to 3600, not "-1"',
    ],
  ] as const)("serve --http with %s is refused with exit code 2", async (_, args, env, message) => {
    using box = sandbox();
    box.write("token", "t\n");
    box.write("empty", "\n");
    box.write("spaced", "abc def\n");
    const run = await runHangar(["serve", "--http", "--port", "0", ...args], box.options(env));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test("--token-file and --drain-s go with --http", async () => {
    using box = sandbox();
    const run = await runHangar(["serve", "--drain-s", "3"], box.options());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("go with --http");
  });
});

describe("Issue 13: $HANGAR_HOME is where hangar writes", () => {
  test(
    "serve --http with an unwritable HOME writes its catalog cache and run registry below $HANGAR_HOME",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      const state = join(box.root, "state");
      mkdirSync(state);
      chmodSync(box.home, 0o500); // as a read-only root filesystem would be
      try {
        await using http = await startHttpHangar(box, [], { [ENV.home]: state });
        expect(await call(http.base)).toBe(200);
        await waitFor(() => existsSync(join(state, "run")) && readdirSync(join(state, "run")).length > 0);
        const { client } = await http.connect();
        expect((await client.listTools()).tools.map((tool) => tool.name)).toContain("demo__echo");
        await waitFor(() => existsSync(join(state, "cache")) && readdirSync(join(state, "cache")).length > 0);
        expect(existsSync(join(box.home, ".hangar"))).toBe(false);
      } finally {
        chmodSync(box.home, 0o700);
      }
    },
    TIMEOUT_MS,
  );
});
