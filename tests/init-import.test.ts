// `hangar init --import`: another client's mcpServers become providers that the config loader accepts
// as they are written — ids made valid and unique, disabled entries and hangar itself skipped.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { clientOfFile, hangarEntry, readClientConfig, startsHangar } from "../src/clients/index.ts";
import { type Env, parseConfigText } from "../src/config/index.ts";
import {
  type ImportResult,
  importedConfig,
  importServers,
  starterConfig,
  type ValueSource,
  valueSourceOf,
} from "../src/init/index.ts";

describe("importing mcpServers", () => {
  const servers = {
    "my server": { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"], env: { TOKEN: 'a"b\\c' } },
    "my-server": { command: "uvx", args: ["mcp-server-time"] },
    remote: { url: "https://example.com/mcp", type: "http", headers: { Authorization: "Bearer x" } },
    events: { url: "https://example.com/sse", type: "sse" },
    off: { command: "x", disabled: true },
    broken: { args: ["no command"] },
    hangar: { command: "/opt/bin/hangar", args: ["--config", "/x.yaml", "serve"] },
    "ünïcode☃": { command: "node", args: ["server.js"], cwd: "/srv" },
  };

  test("every usable entry becomes a provider the config loader accepts, values kept as written", () => {
    const result = importServers(servers);
    expect(result.servers.map((s) => s.id)).toEqual(["my-server", "my-server-2", "remote", "events", "n-code"]);
    expect(result.skipped).toEqual([
      { name: "off", reason: "it is disabled" },
      { name: "broken", reason: "it has neither `command` nor `url`" },
      { name: "hangar", reason: "it is hangar itself" },
    ]);
    const config = parseConfigText(
      importedConfig(result, "/home/u/.cursor/mcp.json"),
      "/cfg/hangar.yaml",
      {},
      "/home/u",
    );
    const byId = Object.fromEntries(config.providers.map((p) => [p.id, p.transport]));
    expect(byId["my-server"]).toEqual({
      kind: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-memory"],
      env: { TOKEN: 'a"b\\c' },
      cwd: undefined,
    });
    expect(byId.remote).toEqual({
      kind: "http",
      url: "https://example.com/mcp",
      headers: { Authorization: "Bearer x" },
      protocol: "streamable-http",
    });
    expect(byId.events).toMatchObject({ kind: "http", protocol: "sse" });
    expect(byId["n-code"]).toMatchObject({ kind: "stdio", command: "node", cwd: "/srv" });
    expect(result.servers.filter((s) => s.hasSecrets).map((s) => s.id)).toEqual(["my-server", "remote"]);
  });

  test("names with `__` or a trailing `_` become ids that cannot shadow another provider's names", () => {
    const result = importServers({ a__b: { command: "x" }, c_: { command: "y" }, d__: { command: "z" } });
    expect(result.servers.map((s) => s.id)).toEqual(["a_b", "c", "d"]);
    expect(parseConfigText(importedConfig(result, "x"), "/cfg/hangar.yaml", {}).providers).toHaveLength(3);
  });

  test("an empty map still makes a valid config", () => {
    expect(parseConfigText(importedConfig(importServers({}), "x"), "/cfg/hangar.yaml", {}).providers).toEqual([]);
  });

  test("issue 9 #33: the starter config parses, with hangar's two demo providers, as with no config", () => {
    const config = parseConfigText(starterConfig(["/opt/hangar"]), "/cfg/hangar.yaml", {});
    expect(
      config.providers.map((p) => [
        p.id,
        p.transport.kind === "stdio" ? [p.transport.command, ...p.transport.args] : [],
      ]),
    ).toEqual([
      ["demo", ["/opt/hangar", "demo-provider", "--name", "demo"]],
      ["demo2", ["/opt/hangar", "demo-provider", "--name", "demo2"]],
    ]);
  });

  test("the hangar entry is recognised as hangar, with or without --config", () => {
    expect(hangarEntry(["/opt/hangar"])).toEqual({ command: "/opt/hangar", args: ["serve"] });
    expect(startsHangar({ ...hangarEntry(["/opt/hangar"], "/x.yaml") })).toBe(true);
    expect(startsHangar({ command: "hangar", args: ["call", "x.json"] })).toBe(false);
    expect(startsHangar({ command: "npx", args: ["serve"] })).toBe(false);
  });

  test("issue 9 #27: imported Claude Code project-scoped servers get cwd: <project dir>", async () => {
    const root = mkdtempSync(join(tmpdir(), "hangar-import-"));
    try {
      const project = join(root, "project");
      mkdirSync(project);
      const user = join(root, ".claude.json");
      writeFileSync(
        user,
        JSON.stringify({
          mcpServers: { everywhere: { command: "node", args: ["user.js"] } },
          projects: {
            [project]: {
              mcpServers: {
                files: { command: "npx", args: ["@modelcontextprotocol/server-filesystem", "."] },
                own: { command: "node", args: ["s.js"], cwd: "sub" },
              },
            },
            "/elsewhere": { mcpServers: { other: { command: "x" } } },
          },
        }),
      );
      const dotMcp = join(project, ".mcp.json");
      writeFileSync(dotMcp, JSON.stringify({ mcpServers: { local: { command: "node", args: ["l.js"] } } }));
      const cwdOf = async (file: string) => {
        const read = await readClientConfig(file, project);
        if (read.kind !== "ok") throw new Error(read.kind);
        const config = parseConfigText(
          importedConfig(importServers(read.servers, read.projectDirs), file),
          "/c.yaml",
          {},
        );
        return Object.fromEntries(
          config.providers.map((p) => [p.id, p.transport.kind === "stdio" ? p.transport.cwd : "-"]),
        );
      };
      expect(await cwdOf(user)).toEqual({ everywhere: undefined, files: project, own: join(project, "sub") });
      expect(await cwdOf(dotMcp)).toEqual({ local: project });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("importing values as each client passes them on", () => {
  /** What hangar starts each imported provider with (command line and env, or URL and headers), under `env`. */
  const started = (result: ImportResult, env: Env) =>
    Object.fromEntries(
      parseConfigText(importedConfig(result, "x"), "/cfg/hangar.yaml", env, "/home/u").providers.map((p) => [
        p.id,
        p.transport.kind === "stdio"
          ? { command: [p.transport.command, ...p.transport.args], env: p.transport.env }
          : p.transport.kind === "http"
            ? { url: p.transport.url, headers: p.transport.headers }
            : {},
      ]),
    );
  const desktop: ValueSource = { client: "claude-desktop" };

  test("Claude Desktop fills no `${…}`: the provider gets it as text, whatever hangar's environment holds", () => {
    const result = importServers(
      {
        remote: {
          command: "npx",
          args: ["mcp-remote", "https://example.com/mcp", "--header", "Authorization: Bearer ${AUTH_TOKEN}"],
          env: { AUTH_TOKEN: "tok_abc", ODD: "BSA$weird${not_a_var}", ESCAPED: "a$${b}", OPEN: "x${" },
        },
        web: { url: "https://example.com/${path}", headers: { "X-Key": "${KEY:-none}" } },
      },
      {},
      desktop,
    );
    expect(result.servers.flatMap((s) => s.notCarried)).toEqual([]);
    const expected = {
      remote: {
        command: ["npx", "mcp-remote", "https://example.com/mcp", "--header", "Authorization: Bearer ${AUTH_TOKEN}"],
        env: { AUTH_TOKEN: "tok_abc", ODD: "BSA$weird${not_a_var}", ESCAPED: "a$${b}", OPEN: "x${" },
      },
      web: { url: "https://example.com/${path}", headers: { "X-Key": "${KEY:-none}" } },
    };
    // Before: AUTH_TOKEN unset was a config error, and set it was hangar's value, not the text.
    expect(started(result, {})).toEqual(expected);
    expect(started(result, { AUTH_TOKEN: "hangars", not_a_var: "v", KEY: "k", path: "p" })).toEqual(expected);
  });

  test("Cursor's `${env:NAME}` becomes hangar's `${NAME}`; `${userHome}` and a project's `${workspaceFolder}` are filled", () => {
    const servers = {
      ctx: {
        command: "npx",
        args: ["${userHome}/bin/ctx", "--root", "${workspaceFolder}", "--base", "${workspaceFolderBasename}"],
        env: { CONTEXT7_API_KEY: "${env:CTX7_KEY}", TEXT: "${other} $${x}" },
      },
    };
    const project = importServers(servers, {}, { client: "cursor", home: "/home/u", workspace: "/src/app" });
    expect(project.servers[0]?.notCarried).toEqual([]);
    expect(started(project, { CTX7_KEY: "k7", other: "no" }).ctx).toEqual({
      command: ["npx", "/home/u/bin/ctx", "--root", "/src/app", "--base", "app"],
      env: { CONTEXT7_API_KEY: "k7", TEXT: "${other} $${x}" },
    });
    // ~/.cursor/mcp.json: the folder is whichever project is open, which hangar cannot know.
    const global = importServers(servers, {}, { client: "cursor", home: "/home/u" });
    expect(global.servers[0]?.notCarried).toEqual([
      "args has `${workspaceFolder}`, which Cursor fills and hangar cannot; it is written as text",
      "args has `${workspaceFolderBasename}`, which Cursor fills and hangar cannot; it is written as text",
    ]);
    expect(started(global, { CTX7_KEY: "k7" }).ctx?.command).toEqual([
      "npx",
      "/home/u/bin/ctx",
      "--root",
      "${workspaceFolder}",
      "--base",
      "${workspaceFolderBasename}",
    ]);
  });

  test("Claude Code fills `${VAR}` and `${VAR:-default}` as hangar does: they are kept; anything else is text", () => {
    const result = importServers(
      { gh: { command: "gh-mcp", env: { TOKEN: "${GH_TOKEN}", MODE: "${MODE:-ro}", OTHER: "${env:X} ${a-b}" } } },
      {},
      { client: "claude-code" },
    );
    expect(started(result, { GH_TOKEN: "t", X: "x" }).gh?.env).toEqual({
      TOKEN: "t",
      MODE: "ro",
      OTHER: "${env:X} ${a-b}",
    });
  });

  test("numbers and booleans are passed on as their text; what cannot be carried over is said, not dropped", () => {
    const result = importServers(
      {
        web: {
          command: "node",
          args: ["server.js", "--port", 8080, { deep: 1 }],
          env: { PORT: 8080, DEBUG: true, RATIO: 0.5, GONE: null, TOKEN: "t" },
          envFile: "${workspaceFolder}/.env",
        },
        remote: { url: "https://example.com/mcp", headers: { "X-Retries": 3, "X-Bad": ["a"] } },
      },
      {},
      { client: "cursor", home: "/home/u", workspace: "/src/app" },
    );
    const byId = started(result, {});
    expect(byId.web).toEqual({
      command: ["node", "server.js", "--port", "8080"],
      env: { PORT: "8080", DEBUG: "true", RATIO: "0.5", TOKEN: "t" },
    });
    expect(byId.remote).toEqual({ url: "https://example.com/mcp", headers: { "X-Retries": "3" } });
    expect(Object.fromEntries(result.servers.map((s) => [s.id, s.notCarried]))).toEqual({
      web: [
        "args[3] is a map; it is left out",
        "env.GONE is null; it is left out",
        "its envFile \"${workspaceFolder}/.env\" is not read by hangar; put those variables in the provider's env or in hangar's environment",
      ],
      remote: ["headers.X-Bad is a list; it is left out"],
    });
  });

  test("the client is told by the file's name; a project's .cursor/mcp.json has that project as its folder", () => {
    expect(clientOfFile("/home/u/.claude.json")).toBe("claude-code");
    expect(clientOfFile("/src/app/.mcp.json")).toBe("claude-code");
    expect(clientOfFile("/home/u/Library/Application Support/Claude/claude_desktop_config.json")).toBe(
      "claude-desktop",
    );
    expect(clientOfFile("/home/u/.cursor/mcp.json")).toBe("cursor");
    expect(clientOfFile("/home/u/mcp.json")).toBeUndefined();
    expect(valueSourceOf("/home/u/.cursor/mcp.json", "/home/u")).toEqual({
      client: "cursor",
      home: "/home/u",
      workspace: undefined,
    });
    expect(valueSourceOf("/src/app/.cursor/mcp.json", "/home/u").workspace).toBe("/src/app");
  });
});
