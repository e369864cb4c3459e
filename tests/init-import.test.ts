// `hangar init --import`: another client's mcpServers become providers that the config loader accepts
// as they are written — ids made valid and unique, disabled entries and hangar itself skipped.
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hangarEntry, readClientConfig, startsHangar } from "../src/clients/index.ts";
import { parseConfigText } from "../src/config/index.ts";
import { importedConfig, importServers, starterConfig } from "../src/init/index.ts";

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
