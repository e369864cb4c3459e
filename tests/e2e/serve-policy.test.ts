// What a client of `hangar serve` sees of the providers' names and policy (issue 9, items 15–18 and 21),
// end to end through the compiled binary, with a fixture provider whose lists are given in the config.
import { describe, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { fixture } from "../helpers/paths.ts";
import { hangarCall, serve, textOf } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** What the listing fixture lists. */
interface Lists {
  tools?: string[];
  prompts?: string[];
  resources?: string[];
}

/** One `providers` entry running the listing fixture with `lists`; `extra` adds settings. */
function listing(id: string, lists: Lists, extra: Record<string, unknown> = {}): string {
  return `  - ${JSON.stringify({ id, command: [...fixture("listing-server.ts"), JSON.stringify(lists)], ...extra })}\n`;
}

/** Writes a hangar.yaml with these providers. */
function config(box: Sandbox, ...entries: string[]): void {
  box.write("hangar.yaml", `providers:\n${entries.join("")}`);
}

/** The tool names the session lists, Hangar's own left out. */
async function listed(session: Awaited<ReturnType<typeof serve>>): Promise<string[]> {
  const { tools } = await session.client.listTools();
  return tools.map((t) => t.name).filter((name) => !name.startsWith("hangar_"));
}

describe("hangar serve: tools.deny and allow (issue 9, item 15)", () => {
  test(
    'deny ["*"] hides and refuses tools whose names hold `/`, `.` or a space; a prefix glob crosses `/`',
    async () => {
      using box = sandbox();
      const tools = ["fs/write_file", "read.file", "list dir", "ok"];
      config(
        box,
        listing("fs", { tools }, { tools: { deny: ["*"] } }),
        listing("part", { tools }, { tools: { deny: ["fs/*", "*.file", "list *"] } }),
      );
      await using session = await serve(box);
      expect(await listed(session)).toEqual(["part__ok"]);
      const { batch } = await hangarCall(session, [
        ...tools.map((tool) => ({ provider: "fs", tool })),
        ...tools.map((tool) => ({ provider: "part", tool })),
      ]);
      expect(batch.results.map((r): string => r.error?.type ?? "ok")).toEqual([
        ...["denied", "denied", "denied", "denied"],
        ...["denied", "denied", "denied", "ok"],
      ]);
      const view = (await session.client.callTool({ name: "hangar_tools", arguments: {} })) as CallToolResult;
      const providers = (view.structuredContent as { providers: { id: string; tools: { name: string }[] }[] })
        .providers;
      expect(providers.map((p) => [p.id, p.tools.map((t) => t.name)])).toEqual([
        ["fs", []],
        ["part", ["ok"]],
      ]);
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: exposed names are unique (issue 9, items 16 and 17)", () => {
  test(
    "a tool a provider lists three times is listed once, with one warning naming the provider",
    async () => {
      using box = sandbox();
      config(box, listing("h", { tools: ["dup", "dup", "other", "dup"], prompts: ["p", "p"] }));
      await using session = await serve(box);
      expect(await listed(session)).toEqual(["h__dup", "h__other"]);
      expect((await session.client.listPrompts()).prompts.map((p) => p.name)).toEqual(["h__p"]);
      await session.client.listTools();
      const warnings = session
        .stderr()
        .split("\n")
        .filter((line) => line.includes("more than once"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('"provider":"h"');
      expect(warnings[0]).toContain('"tools":["dup"]');
    },
    TIMEOUT_MS,
  );

  test(
    "providers `a` (tool b__echo) and `a__b` (tool echo) cannot both be configured: a located error names the id",
    async () => {
      using box = sandbox();
      config(box, listing("a", { tools: ["b__echo"] }), listing("a__b", { tools: ["echo"] }));
      const run = await runHangar(["call", "-"], box.options({}, JSON.stringify([{ provider: "a", tool: "b__echo" }])));
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${box.cwd}/hangar.yaml:3:`);
      expect(run.stderr).toContain("providers[1].id cannot hold `__` or end in `_`");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: expose: false (issue 9, item 18)", () => {
  test(
    "none of the provider's tools, prompts or resources is listed or served directly; hangar_call still reaches it",
    async () => {
      using box = sandbox();
      const lists = (uri: string) => ({ tools: ["t"], prompts: ["p"], resources: [uri] });
      config(
        box,
        listing("hidden", lists("file:///secret"), { expose: false }),
        listing("bare", lists("file:///bare-secret"), { expose: false, prefix: false }),
        listing("shown", lists("file:///public")),
      );
      await using session = await serve(box);
      const { client } = session;
      expect(await listed(session)).toEqual(["shown__t"]);
      expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(["shown__p"]);
      expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(["hangar://shown/file:///public"]);
      const refused = (promise: Promise<unknown>) =>
        promise.then(
          (result) => `answered ${JSON.stringify(result)}`,
          (error: Error) => error.message,
        );
      expect(await refused(client.readResource({ uri: "hangar://shown/file:///public" }))).toContain("resource");
      expect(await refused(client.readResource({ uri: "hangar://hidden/file:///secret" }))).toContain(
        "Unknown resource",
      );
      expect(await refused(client.readResource({ uri: "file:///bare-secret" }))).toContain("Unknown resource");
      expect(await refused(client.getPrompt({ name: "hidden__p" }))).toContain("Unknown prompt");
      const complete = (ref: { type: "ref/resource"; uri: string } | { type: "ref/prompt"; name: string }) =>
        refused(client.complete({ ref, argument: { name: "a", value: "" } }));
      expect(await complete({ type: "ref/resource", uri: "hangar://hidden/file:///{a}" })).toContain(
        "Unknown resource template",
      );
      expect(await complete({ type: "ref/prompt", name: "hidden__p" })).toContain("Unknown prompt");
      expect(await refused(client.getPrompt({ name: "p" }))).toContain("Unknown prompt");
      expect(await refused(client.callTool({ name: "hidden__t", arguments: {} }))).toContain("Unknown tool");
      expect(await refused(client.callTool({ name: "t", arguments: {} }))).toContain("Unknown tool");
      const { batch } = await hangarCall(session, [
        { provider: "hidden", tool: "t" },
        { provider: "bare", tool: "t" },
      ]);
      expect(batch.results.map((r) => r.ok)).toEqual([true, true]);
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: what a provider's process inherits (issue 9, item 21)", () => {
  test(
    "hangar's secrets reach no provider, GITHUB_TOKEN only the one the config hands it to, env_inherit narrows the rest",
    async () => {
      using box = sandbox();
      const env = { tools: ["env"] };
      config(
        box,
        listing("gh", env, { env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_TOKEN}" } }),
        listing("files", env),
        listing("narrow", env, { env_inherit: ["PATH", "KEEP_ME"], env: { OWN: "own" } }),
      );
      const secrets = {
        HANGAR_TOKEN: "hangar-bearer-secret",
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=otlp-secret",
        GITHUB_TOKEN: "ghp_secret",
        KEEP_ME: "kept",
        UNRELATED: "inherited as before",
      };
      await using session = await serve(box, { env: secrets });
      const { batch } = await hangarCall(
        session,
        ["gh", "files", "narrow"].map((provider) => ({ provider, tool: "env" })),
      );
      const [gh, files, narrow] = batch.results.map(
        (r) => (JSON.parse(textOf(r.result)) as { env: Record<string, string> }).env,
      );
      for (const seen of [gh!, files!, narrow!]) {
        expect(seen.HANGAR_TOKEN).toBeUndefined();
        expect(seen.OTEL_EXPORTER_OTLP_HEADERS).toBeUndefined();
      }
      expect(gh!.GITHUB_PERSONAL_ACCESS_TOKEN).toBe("ghp_secret");
      expect(gh!.GITHUB_TOKEN).toBe("ghp_secret");
      expect(files!.GITHUB_TOKEN).toBeUndefined();
      expect(files!.UNRELATED).toBe("inherited as before");
      expect(files!.PATH).toBe(box.env.PATH!);
      expect(files!.HOME).toBe(box.home);
      expect(Object.keys(narrow!).sort()).toEqual(["KEEP_ME", "OWN", "PATH"]);
    },
    TIMEOUT_MS,
  );

  test(
    "hangar doctor names the variables a provider does not inherit, and never their values",
    async () => {
      using box = sandbox();
      config(
        box,
        listing("gh", { tools: ["env"] }, { env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_TOKEN}" } }),
        listing("files", { tools: ["env"] }),
      );
      const env = { HANGAR_TOKEN: "hangar-bearer-secret", GITHUB_TOKEN: "ghp_secret" };
      const run = await runHangar(["doctor", "--json", "--no-clients"], box.options(env));
      expect(run.code).toBe(0);
      const checks = (JSON.parse(run.stdout) as { checks: { subject: string; name: string; message: string }[] })
        .checks;
      const envChecks = checks.filter((c) => c.name === "env").map((c) => [c.subject, c.message]);
      expect(envChecks).toEqual([
        ["gh", expect.stringContaining("does not inherit HANGAR_TOKEN (")],
        ["files", expect.stringContaining("does not inherit HANGAR_TOKEN, GITHUB_TOKEN (")],
      ]);
      expect(run.stdout).not.toContain("ghp_secret");
      expect(run.stdout).not.toContain("hangar-bearer-secret");
    },
    TIMEOUT_MS,
  );
});
