// `hangar doctor` end to end: each seeded fault is found and comes with its fix (exit 1), a good config
// passes (exit 0), a broken config is a failed check with file:line:col (exit 1, not 2), secrets are
// never printed, and the Claude clients' entries on this machine are reported.
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { demoProvidersYaml, hangarBinary, runHangar, sandbox } from "../helpers/e2e.ts";
import { BUN, fixture } from "../helpers/paths.ts";

const TIMEOUT_MS = 30_000;

/** A loopback port nothing listens on: bound, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface CheckJson {
  subject: string;
  name: string;
  status: string;
  message: string;
  fix?: string;
  detail?: string;
}

/** The checks of `subject` in a --json report. */
const of = (checks: CheckJson[], subject: string) => checks.filter((c) => c.subject === subject);

describe("hangar doctor", () => {
  test(
    "issue 9 #33: max_concurrency above the gateway's is a warning only when the user wrote it",
    async () => {
      using box = sandbox();
      box.write(
        "hangar.yaml",
        demoProvidersYaml(["quiet", "loud"], "max_concurrency: 4\n").replace(
          /(- id: loud\n.*\n)/,
          "$1    max_concurrency: 16\n",
        ),
      );
      const run = await runHangar(["doctor", "--json", "--no-clients"], box.options());
      expect(run.code).toBe(0);
      const warnings = (JSON.parse(run.stdout) as { checks: CheckJson[] }).checks.filter(
        (c) => c.name === "max_concurrency",
      );
      expect(warnings.map((c) => [c.subject, c.status, c.message])).toEqual([
        ["loud", "warn", "max_concurrency 16 is more than the gateway's 4, so it is never reached"],
      ]);
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9 #30: a provider's stderr excerpt skips stack frames and keeps the error above them",
    async () => {
      using box = sandbox();
      box.write(
        "hangar.yaml",
        `providers:\n  - id: db\n    command: ${JSON.stringify(fixture("faulty-server.ts"))}\n    env: { FAULT_CRASH_AT_START: trace }\n`,
      );
      const run = await runHangar(["doctor", "--json", "--no-clients"], box.options());
      expect(run.code).toBe(1);
      const start = of((JSON.parse(run.stdout) as { checks: CheckJson[] }).checks, "db").find(
        (c) => c.name === "start",
      )!;
      expect(start.message).toEndWith(
        "its stderr ended with: Connecting to the database ... | Error: Fatal error: No connector found for DSN",
      );
      expect(start.detail).toBe("Connecting to the database ...\nError: Fatal error: No connector found for DSN");
    },
    TIMEOUT_MS,
  );

  test(
    "finds a missing command, a provider that crashes at start and an unreachable URL, each with its fix",
    async () => {
      using box = sandbox();
      const port = await closedPort();
      const yaml = `${demoProvidersYaml(["good"])}  - id: missing
    command: ["no-such-mcp-server-xyz", "--stdio"]
  - id: crashing
    command: ${JSON.stringify(fixture("faulty-server.ts"))}
    env: { FAULT_CRASH_AT_START: "1", API_KEY: "sk-very-secret-value" }
  - id: remote
    url: "http://127.0.0.1:${port}/mcp/key-in-the-path/sse?token=in-the-query"
    headers: { Authorization: "Bearer another-secret" }
`;
      box.write("hangar.yaml", yaml);
      const run = await runHangar(["doctor", "--json"], box.options());
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as { ok: boolean; checks: CheckJson[] };
      expect(report.ok).toBe(false);
      expect(of(report.checks, "missing")).toEqual([
        expect.objectContaining({
          name: "command",
          status: "fail",
          message: 'command "no-such-mcp-server-xyz" not found on PATH',
          fix: expect.stringContaining("give its full path in `command`"),
        }),
        expect.objectContaining({ name: "start", status: "skip" }),
      ]);
      const crash = of(report.checks, "crashing").find((c) => c.name === "start")!;
      expect(crash).toMatchObject({ status: "fail", fix: expect.stringContaining("run it by hand to see its error") });
      expect(crash.message).toContain('Provider "crashing" stopped during start-up: it exited with code 2');
      expect(crash.detail).toContain("faulty-server: cannot open database: permission denied");
      expect(of(report.checks, "remote")[0]).toMatchObject({
        name: "url",
        status: "fail",
        // Neither the path (many servers take a key there) nor the query is shown.
        message: `Cannot reach http://127.0.0.1:${port}/…: connection refused`,
        fix: `start the server at 127.0.0.1:${port}, or fix \`url\``,
      });
      expect(of(report.checks, "good").map((c) => `${c.name} ${c.status}`)).toEqual([
        "command ok",
        "start ok",
        "tools ok",
        // Issue 15: not pinned yet (doctor records nothing; the first serve or call does).
        "pins info",
        "ping ok",
      ]);
      expect(run.stdout + run.stderr).not.toContain("sk-very-secret-value");
      expect(run.stdout + run.stderr).not.toContain("another-secret");
      expect(run.stdout + run.stderr).not.toContain("key-in-the-path");
      expect(run.stdout + run.stderr).not.toContain("in-the-query");

      const text = await runHangar(["doctor"], box.options());
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/FAIL +command +command "no-such-mcp-server-xyz" not found on PATH\n +fix: /);
      expect(text.stdout).toContain("stderr:");
      expect(text.stdout).toContain("3 problems found");
    },
    TIMEOUT_MS,
  );

  test(
    "a remote server that wants a sign-in gets `hangar auth login` as its fix, not a check of its url",
    async () => {
      using box = sandbox();
      // An MCP endpoint that answers every request 401, as a server behind OAuth does before sign-in.
      using server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("", { status: 401 }) });
      box.write("hangar.yaml", `providers:\n  - { id: locked, url: "http://127.0.0.1:${server.port}/mcp" }\n`);
      const run = await runHangar(["doctor", "--json", "--no-clients"], box.options());
      const report = JSON.parse(run.stdout) as { checks: CheckJson[] };
      const start = of(report.checks, "locked").find((c) => c.name === "start")!;
      expect(start).toMatchObject({ status: "fail", message: expect.stringContaining("hangar auth login locked") });
      expect(start.fix).toBe("run `hangar auth login locked` (it opens the sign-in page in your browser)");
    },
    TIMEOUT_MS,
  );

  test(
    "an unset ${VAR} is a failed check naming file:line:col and how to set it; exit 1",
    async () => {
      using box = sandbox();
      const path = box.write(
        "hangar.yaml",
        `providers:\n  - id: gh\n    command: ["npx", "server-github"]\n    env: { TOKEN: "\${GITHUB_TOKEN}" }\n`,
      );
      const run = await runHangar(["doctor"], box.options());
      expect(run.code).toBe(1);
      expect(run.stderr).toBe("");
      expect(run.stdout).toContain(`FAIL  parses`);
      expect(run.stdout).toContain(`${path}:4:20: providers[0].env.TOKEN uses \${GITHUB_TOKEN}, which is not set`);
      expect(run.stdout).toContain(
        "fix: set $GITHUB_TOKEN in the environment hangar runs in (export GITHUB_TOKEN=…), or write ${GITHUB_TOKEN:-default}",
      );
    },
    TIMEOUT_MS,
  );

  test(
    "a config that does not parse, or a --config that does not exist, is a failed check (exit 1), not a usage error",
    async () => {
      using box = sandbox();
      const path = box.write("hangar.yaml", `${demoProvidersYaml(["x"])}    idel_ttl_s: 5\n`);
      const run = await runHangar(["doctor", "--no-clients"], box.options());
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        `${path}:4:5: providers[0].idel_ttl_s is not a known key; did you mean \`idle_ttl_s\`?`,
      );
      const missing = await runHangar(["--config", "nope.yaml", "doctor", "--json"], box.options());
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout).checks[0]).toMatchObject({
        name: "found",
        status: "fail",
        message: expect.stringContaining("does not exist"),
      });
    },
    TIMEOUT_MS,
  );

  test(
    "a good config passes with exit 0, and the demo providers pass with no config at all",
    async () => {
      using box = sandbox();
      const demo = await runHangar(["doctor", "--json"], box.options());
      expect(demo.code).toBe(0);
      expect(JSON.parse(demo.stdout)).toMatchObject({ ok: true, config: { demo: true }, counts: { fail: 0 } });
      box.write("hangar.yaml", demoProvidersYaml(["one", "two"]));
      const run = await runHangar(["doctor"], box.options());
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/ok +ping +answers ping in [\d.]+ ms/);
      expect(run.stdout).toContain("No problems found");
    },
    TIMEOUT_MS,
  );

  test(
    "reports the Claude Desktop and Claude Code entries found on this machine, and whether one starts hangar",
    async () => {
      using box = sandbox();
      const desktop = join(box.home, ".config", "Claude");
      mkdirSync(desktop, { recursive: true });
      writeFileSync(
        join(desktop, "claude_desktop_config.json"),
        JSON.stringify({ mcpServers: { hangar: { command: hangarBinary(), args: ["serve"] } } }),
      );
      writeFileSync(
        join(box.home, ".claude.json"),
        JSON.stringify({ mcpServers: { other: { command: BUN, args: ["x.ts"] } } }),
      );
      writeFileSync(
        join(box.cwd, ".mcp.json"),
        JSON.stringify({ mcpServers: { gone: { command: "/nowhere/hangar", args: ["serve"] } } }),
      );
      const run = await runHangar(["doctor", "--json"], box.options());
      const clients = (JSON.parse(run.stdout).checks as CheckJson[]).filter((c) => c.name === "entry");
      expect(clients.find((c) => c.subject === "Claude Desktop")).toMatchObject({
        status: "ok",
        message: expect.stringContaining('entry "hangar" starts hangar serve'),
      });
      expect(clients.find((c) => c.subject === "Claude Code")).toMatchObject({
        status: "warn",
        fix: expect.stringContaining("hangar init --client claude-code --apply"),
      });
      expect(clients.find((c) => c.subject === "Claude Code (project)")).toMatchObject({
        status: "fail",
        message: expect.stringContaining("cannot be found"),
      });
      expect(clients.find((c) => c.subject === "Cursor")).toMatchObject({ status: "info" });
      expect(run.code).toBe(1);
    },
    TIMEOUT_MS,
  );
});
