// `hangar init` end to end: the starter config passes `doctor`; an imported Claude Desktop config
// round-trips into providers that `doctor` accepts and `call` can use; nothing is overwritten without
// --force; --apply backs the client's file up and keeps everything else in it.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hangarBinary, runHangar, sandbox } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";

const TIMEOUT_MS = 30_000;

describe("hangar init", () => {
  test(
    "writes a commented starter config that doctor accepts, and prints the client entry and the claude mcp add line",
    async () => {
      using box = sandbox();
      const run = await runHangar(["init"], box.options());
      expect(run.code).toBe(0);
      const path = join(box.cwd, "hangar.yaml");
      expect(run.stdout).toContain(`Wrote ${path}: a starter config`);
      const entry = { mcpServers: { hangar: { command: hangarBinary(), args: ["--config", path, "serve"] } } };
      expect(run.stdout).toContain(JSON.stringify(entry));
      expect(run.stdout).toContain(`claude mcp add --scope user hangar -- ${hangarBinary()} --config ${path} serve`);
      expect(readFileSync(path, "utf8")).toContain("# - id: github");
      const doctor = await runHangar(["doctor"], box.options());
      expect(doctor.code).toBe(0);
      expect(doctor.stdout).toContain('Provider "demo"');
      // The README's example batch runs in this folder too (issue 9 #33): it calls demo and demo2.
      const example = await runHangar(["call", join(ROOT, "examples", "batch.json")], box.options());
      expect(example.code).toBe(0);
      expect(example.stdout).toContain("5 succeeded, 0 failed");
    },
    TIMEOUT_MS,
  );

  test(
    "--import round-trips a Claude Desktop config into providers that doctor accepts and call can use",
    async () => {
      using box = sandbox();
      const desktop = join(box.home, ".config", "Claude", "claude_desktop_config.json");
      mkdirSync(join(box.home, ".config", "Claude"), { recursive: true });
      const demo = (name: string) => ({ command: hangarBinary(), args: ["demo-provider", "--name", name] });
      writeFileSync(
        desktop,
        JSON.stringify({
          mcpServers: {
            "my notes": { ...demo("notes"), env: { NOTES_TOKEN: "secret-token-1" } },
            tasks: demo("tasks"),
            old: { command: "gone", disabled: true },
            hangar: { command: hangarBinary(), args: ["serve"] },
          },
          globalShortcut: "Ctrl+Space",
        }),
      );
      const run = await runHangar(["init", "--global", "--import", desktop], box.options());
      expect(run.code).toBe(0);
      const path = join(box.home, ".hangar", "config.yaml");
      expect(run.stdout).toContain(
        `Wrote ${path}: 2 providers imported from ${desktop}: my-notes (was "my notes"), tasks.`,
      );
      expect(run.stdout).toContain('skipped "old": it is disabled');
      expect(run.stdout).toContain('skipped "hangar": it is hangar itself');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      // The global config is found from anywhere: the entry needs no --config.
      expect(run.stdout).toContain(
        JSON.stringify({ mcpServers: { hangar: { command: hangarBinary(), args: ["serve"] } } }),
      );

      const doctor = await runHangar(["doctor", "--json"], box.options());
      expect(doctor.code).toBe(0);
      const report = JSON.parse(doctor.stdout);
      expect(report.config.path).toBe(path);
      expect(
        report.checks
          .filter((c: { name: string; status: string }) => c.name === "start" && c.status === "ok")
          .map((c: { subject: string }) => c.subject),
      ).toEqual(["my-notes", "tasks"]);
      expect(doctor.stdout).not.toContain("secret-token-1");
      const call = await runHangar(["call", "--json", "-"], box.options({}, '[{"provider":"my-notes","tool":"info"}]'));
      expect(JSON.parse(call.stdout).results[0].result.structuredContent.name).toBe("notes");
    },
    TIMEOUT_MS,
  );

  test(
    "never replaces an existing config without --force",
    async () => {
      using box = sandbox();
      const path = box.write("hangar.yaml", "providers: []\n");
      const source = box.write("cursor.json", JSON.stringify({ mcpServers: { a: { command: "x" } } }));
      const imported = await runHangar(["init", "--import", source], box.options());
      expect(imported.code).toBe(2);
      expect(imported.stderr).toBe(
        `hangar: ${path} already exists; pass --force to replace it, or --path to write somewhere else\n`,
      );
      const kept = await runHangar(["init"], box.options());
      expect(kept.code).toBe(0);
      expect(kept.stdout).toStartWith(`Kept ${path}: it already exists`);
      expect(readFileSync(path, "utf8")).toBe("providers: []\n");
      const forced = await runHangar(["init", "--force", "--import", source], box.options());
      expect(forced.code).toBe(0);
      expect(readFileSync(path, "utf8")).toContain('command: [ "x" ]');
    },
    TIMEOUT_MS,
  );

  test(
    "--apply writes the entry into the client's file after a backup, keeping every other key",
    async () => {
      using box = sandbox();
      const claude = join(box.home, ".claude.json");
      const original = JSON.stringify({ numStartups: 7, mcpServers: { other: { command: "x" } } });
      writeFileSync(claude, original);
      const run = await runHangar(["init", "--client", "claude-code", "--apply"], box.options());
      expect(run.code).toBe(0);
      const backups = readdirSync(box.home).filter((name) => name.startsWith(".claude.json.bak-"));
      expect(backups).toHaveLength(1);
      expect(backups[0]).toMatch(/^\.claude\.json\.bak-\d{8}T\d{6}Z$/);
      expect(readFileSync(join(box.home, backups[0]!), "utf8")).toBe(original);
      expect(JSON.parse(readFileSync(claude, "utf8"))).toEqual({
        numStartups: 7,
        mcpServers: {
          other: { command: "x" },
          hangar: { command: hangarBinary(), args: ["--config", join(box.cwd, "hangar.yaml"), "serve"] },
        },
      });
      expect(run.stdout).toContain(`Added the "hangar" entry in ${claude}`);

      const cursor = await runHangar(["init", "--client", "cursor", "--apply"], box.options());
      expect(cursor.code).toBe(0);
      expect(existsSync(join(box.home, ".cursor", "mcp.json"))).toBe(true);
      const noClient = await runHangar(["init", "--apply"], box.options());
      expect(noClient.code).toBe(2);
      expect(noClient.stderr).toStartWith("hangar: --apply needs --client");
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9 #26: after init --path X --import, every printed next step names X, and applying twice is a no-op",
    async () => {
      using box = sandbox();
      const desktop = join(box.home, ".config", "Claude", "claude_desktop_config.json");
      mkdirSync(join(box.home, ".config", "Claude"), { recursive: true });
      writeFileSync(desktop, JSON.stringify({ mcpServers: {} }));
      const source = box.write(
        "cursor.json",
        JSON.stringify({ mcpServers: { notes: { command: hangarBinary(), args: ["demo-provider"] } } }),
      );
      const path = join(box.cwd, "configs", "mine.yaml");
      const run = await runHangar(["init", "--path", path, "--import", source], box.options());
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Check the providers with \`hangar --config ${path} doctor\`.`);
      const hint = run.stdout.split("\n").find((line) => line.includes("--apply"));
      expect(hint).toEndWith(`hangar init --path ${path} --client claude-desktop --apply`);
      // Run both as printed: doctor reads the imported config, and --apply points the client at it.
      const doctor = await runHangar(["--config", path, "doctor", "--no-clients"], box.options());
      expect(doctor.code).toBe(0);
      expect(doctor.stdout).toContain('Provider "notes"');
      const printed = hint!.slice(hint!.indexOf("hangar init ") + "hangar ".length).split(" ");
      const applied = await runHangar(printed, box.options());
      expect(applied.code).toBe(0);
      expect(existsSync(join(box.cwd, "hangar.yaml"))).toBe(false);
      expect(readFileSync(path, "utf8")).toContain("id: notes");
      expect(JSON.parse(readFileSync(desktop, "utf8")).mcpServers.hangar.args).toEqual(["--config", path, "serve"]);
      const backups = () => readdirSync(join(box.home, ".config", "Claude")).filter((name) => name.includes(".bak-"));
      expect(backups()).toHaveLength(1);
      const again = await runHangar(printed, box.options());
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(`The "hangar" entry in ${desktop} is already up to date; nothing was changed.`);
      expect(backups()).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9 #26: the hints of --global say --global, and those of ./hangar.yaml need no --config",
    async () => {
      using box = sandbox();
      const global = await runHangar(["init", "--global"], box.options());
      expect(global.stdout).toContain("Edit it, then check it with `hangar doctor`.");
      expect(global.stdout).toContain("hangar init --global --client claude-desktop --apply");
      const local = await runHangar(["init"], box.options());
      expect(local.stdout).toContain("Edit it, then check it with `hangar doctor`.");
      expect(local.stdout).toContain(
        `hangar init --path ${join(box.cwd, "hangar.yaml")} --client claude-desktop --apply`,
      );
      // ./hangar.yaml now hides the global config from a bare `hangar doctor` here.
      const hidden = await runHangar(["init", "--global", "--force"], box.options());
      expect(hidden.stdout).toContain(
        `check it with \`hangar --config ${join(box.home, ".hangar", "config.yaml")} doctor\``,
      );
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9 #28: --move takes the imported servers out of the client, adds hangar there, and doctor no longer warns",
    async () => {
      using box = sandbox();
      const dir = join(box.home, ".config", "Claude");
      const desktop = join(dir, "claude_desktop_config.json");
      mkdirSync(dir, { recursive: true });
      const demo = (name: string) => ({ command: hangarBinary(), args: ["demo-provider", "--name", name] });
      const original = JSON.stringify({
        mcpServers: { notes: demo("notes"), old: { command: "gone", disabled: true } },
        globalShortcut: "Ctrl+Space",
      });
      writeFileSync(desktop, original);

      // Imported and applied without --move: the client still starts "notes" itself, and doctor says so.
      const copied = await runHangar(
        ["init", "--global", "--import", desktop, "--client", "claude-desktop", "--apply"],
        box.options(),
      );
      expect(copied.code).toBe(0);
      writeFileSync(join(box.home, ".claude.json"), "{}");
      const twice = await runHangar(["doctor", "--json"], box.options());
      // Doctor's own hint names the config it checked (issue 9 #26): as printed, it keeps using it.
      expect(
        (JSON.parse(twice.stdout).checks as { subject: string; fix?: string }[]).find(
          (c) => c.subject === "Claude Code",
        )?.fix,
      ).toStartWith("hangar init --global --client claude-code --apply");
      const duplicates = (
        JSON.parse(twice.stdout).checks as { name: string; status: string; message: string; fix: string }[]
      ).filter((c) => c.name === "duplicate");
      expect(duplicates).toEqual([
        expect.objectContaining({
          status: "warn",
          message: `${desktop}: "notes" is also hangar's provider "notes", so two copies of it run`,
          fix: expect.stringContaining(`hangar init --import ${desktop} --move`),
        }),
      ]);

      writeFileSync(desktop, original);
      for (const name of readdirSync(dir)) if (name.includes(".bak-")) rmSync(join(dir, name));
      const moved = await runHangar(["init", "--global", "--force", "--import", desktop, "--move"], box.options());
      expect(moved.code).toBe(0);
      const backups = readdirSync(dir).filter((name) => name.includes(".bak-"));
      expect(backups).toHaveLength(1);
      expect(readFileSync(join(dir, backups[0]!), "utf8")).toBe(original);
      expect(moved.stdout).toContain(
        `Moved: removed 1 server now run by hangar (notes) and added the "hangar" entry in ${desktop} (the old file is kept as ${join(dir, backups[0]!)})`,
      );
      expect(JSON.parse(readFileSync(desktop, "utf8"))).toEqual({
        mcpServers: { old: { command: "gone", disabled: true }, hangar: { command: hangarBinary(), args: ["serve"] } },
        globalShortcut: "Ctrl+Space",
      });
      const doctor = await runHangar(["doctor", "--json"], box.options());
      const checks = JSON.parse(doctor.stdout).checks as { subject: string; name: string; status: string }[];
      expect(checks.filter((c) => c.name === "duplicate")).toEqual([]);
      expect(checks.find((c) => c.subject === "Claude Desktop" && c.name === "entry")?.status).toBe("ok");
      const call = await runHangar(["call", "--json", "-"], box.options({}, '[{"provider":"notes","tool":"info"}]'));
      expect(JSON.parse(call.stdout).results[0].result.structuredContent.name).toBe("notes");
    },
    TIMEOUT_MS,
  );

  test(
    "--import --move of Claude Desktop and Cursor: each provider gets the value its client gave it",
    async () => {
      using box = sandbox();
      const demo = (name: string) => ({ command: hangarBinary(), args: ["demo-provider", "--name", name] });
      // Claude Desktop fills no `${…}`: the demo provider must be named by the text itself.
      const dir = join(box.home, ".config", "Claude");
      const desktop = join(dir, "claude_desktop_config.json");
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        desktop,
        JSON.stringify({
          mcpServers: {
            bearer: { ...demo("Bearer ${AUTH_TOKEN}"), env: { AUTH_TOKEN: "tok_abc" } },
            odd: demo("BSA$weird${not_a_var}"),
          },
        }),
      );
      const moved = await runHangar(["init", "--global", "--import", desktop, "--move"], box.options());
      expect(moved.stderr).toBe("");
      expect(moved.code).toBe(0);
      expect(moved.stdout).toContain("Moved: removed 2 servers now run by hangar (bearer, odd)");
      // hangar's own AUTH_TOKEN must not leak into the text either.
      const named = await runHangar(
        ["call", "--json", "-"],
        box.options(
          { AUTH_TOKEN: "hangars", not_a_var: "v" },
          '[{"provider":"bearer","tool":"info"},{"provider":"odd","tool":"info"}]',
        ),
      );
      expect(
        JSON.parse(named.stdout).results.map(
          (r: { result: { structuredContent: { name: string } } }) => r.result.structuredContent.name,
        ),
      ).toEqual(["Bearer ${AUTH_TOKEN}", "BSA$weird${not_a_var}"]);

      // Cursor fills `${env:NAME}` from its environment: hangar fills it from its own.
      const cursor = join(box.home, ".cursor", "mcp.json");
      mkdirSync(join(box.home, ".cursor"));
      writeFileSync(
        cursor,
        JSON.stringify({
          mcpServers: { ctx: demo("${env:CTX7_NAME}"), here: demo("in ${workspaceFolder}") },
        }),
      );
      const path = join(box.cwd, "cursor.yaml");
      const fromCursor = await runHangar(
        ["init", "--path", path, "--import", cursor, "--move"],
        box.options({ CTX7_NAME: "ctx-from-env" }),
      );
      expect(fromCursor.code).toBe(0);
      expect(fromCursor.stdout).toContain(
        'changed "here": args has `${workspaceFolder}`, which Cursor fills and hangar cannot; it is written as text',
      );
      // The one hangar cannot run as Cursor did stays in Cursor's file.
      expect(fromCursor.stdout).toContain("Moved: removed 1 server now run by hangar (ctx)");
      expect(fromCursor.stdout).toContain(`Kept "here" in ${cursor}`);
      expect(Object.keys(JSON.parse(readFileSync(cursor, "utf8")).mcpServers)).toEqual(["here", "hangar"]);
      const ctx = await runHangar(
        ["--config", path, "call", "--json", "-"],
        box.options({ CTX7_NAME: "ctx-from-env" }, '[{"provider":"ctx","tool":"info"}]'),
      );
      expect(JSON.parse(ctx.stdout).results[0].result.structuredContent.name).toBe("ctx-from-env");
    },
    TIMEOUT_MS,
  );

  test(
    "--import --move: a number is passed on as its text, and a server with an envFile stays in Cursor",
    async () => {
      using box = sandbox();
      const cursor = join(box.home, ".cursor", "mcp.json");
      mkdirSync(join(box.home, ".cursor"));
      writeFileSync(
        cursor,
        JSON.stringify({
          mcpServers: {
            port: {
              command: hangarBinary(),
              args: ["demo-provider", "--name", 8080],
              env: { PORT: 8080, DEBUG: true },
            },
            secrets: { command: hangarBinary(), args: ["demo-provider"], envFile: "/home/me/.env" },
          },
        }),
      );
      const run = await runHangar(["init", "--global", "--import", cursor, "--move"], box.options());
      expect(run.code).toBe(0);
      const config = readFileSync(join(box.home, ".hangar", "config.yaml"), "utf8");
      expect(config).toContain('env: { PORT: "8080", DEBUG: "true" }');
      expect(run.stdout).toContain(
        'changed "secrets": its envFile "/home/me/.env" is not read by hangar; put those variables in the provider\'s env or in hangar\'s environment',
      );
      expect(run.stdout).toContain("Moved: removed 1 server now run by hangar (port)");
      expect(run.stdout).toContain(`Kept "secrets" in ${cursor}`);
      expect(JSON.parse(readFileSync(cursor, "utf8")).mcpServers.secrets).toEqual({
        command: hangarBinary(),
        args: ["demo-provider"],
        envFile: "/home/me/.env",
      });
      const call = await runHangar(["call", "--json", "-"], box.options({}, '[{"provider":"port","tool":"info"}]'));
      expect(JSON.parse(call.stdout).results[0].result.structuredContent.name).toBe("8080");
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9 #28: --move out of ~/.claude.json removes a project's servers from that project only",
    async () => {
      using box = sandbox();
      const claude = join(box.home, ".claude.json");
      writeFileSync(
        claude,
        JSON.stringify({
          mcpServers: { shared: { command: "node", args: ["shared.js"] } },
          projects: {
            [box.cwd]: { mcpServers: { local: { command: "node", args: ["local.js"] } }, allowedTools: [] },
            "/other": { mcpServers: { local: { command: "x" } } },
          },
        }),
      );
      const run = await runHangar(["init", "--import", claude, "--move"], box.options());
      expect(run.code).toBe(0);
      expect(readFileSync(join(box.cwd, "hangar.yaml"), "utf8")).toContain(`cwd: "${box.cwd}"`);
      expect(JSON.parse(readFileSync(claude, "utf8"))).toEqual({
        mcpServers: { hangar: { command: hangarBinary(), args: ["--config", join(box.cwd, "hangar.yaml"), "serve"] } },
        projects: {
          [box.cwd]: { mcpServers: {}, allowedTools: [] },
          "/other": { mcpServers: { local: { command: "x" } } },
        },
      });
      const alone = await runHangar(["init", "--move"], box.options());
      expect(alone.code).toBe(2);
      expect(alone.stderr).toStartWith("hangar: --move needs --import");
    },
    TIMEOUT_MS,
  );
});
