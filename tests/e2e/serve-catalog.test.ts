// `hangar serve`'s tool catalog end to end: listed in the background and cached on disk, served cold from
// the cache without starting anything, followed when it changes; and no process outlives the client.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { fixture } from "../helpers/paths.ts";
import { isAlive, waitFor } from "../helpers/processes.ts";
import { serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** Two probe providers that log their starts to the sandbox's probe.log. */
function probes(box: Sandbox): void {
  const entry = (id: string) =>
    `  - ${JSON.stringify({ id, command: fixture("probe-server.ts"), env: { PROBE_LOG: join(box.root, "probe.log") } })}\n`;
  box.write("hangar.yaml", `providers:\n${entry("one")}${entry("two")}`);
}
const starts = (box: Sandbox) => {
  try {
    return readFileSync(join(box.root, "probe.log"), "utf8")
      .split("\n")
      .filter((l) => l.startsWith("started")).length;
  } catch {
    return 0;
  }
};
const cacheEnv = (box: Sandbox) => ({ HANGAR_CACHE_DIR: join(box.root, "cache") });

describe("hangar serve: the tool catalog", () => {
  test(
    "without a cache, providers are listed in the background, cached, and one tools/list_changed is sent",
    async () => {
      using box = sandbox();
      probes(box);
      await using session = await serve(box, { env: cacheEnv(box) });
      await waitFor(() => session.listChanged() > 0, 15_000, "tools/list_changed");
      const names = (await session.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("one__echo");
      expect(names).toContain("two__echo");
      expect(readdirSync(join(box.root, "cache")).filter((f) => f.startsWith("catalog-"))).toHaveLength(2);
      // One notification for the warm-up's listings, not one per provider: both, when they listed within
      // the warm-up's 3 s hold (a machine loaded enough to make them take longer gets one per provider;
      // tests/catalog.test.ts pins the hold itself on a fake clock).
      expect(session.listChanged()).toBeLessThanOrEqual(2);
    },
    TIMEOUT_MS,
  );

  test(
    "with a cache, tools/list answers at once with every provider's tools and starts no provider",
    async () => {
      using box = sandbox();
      probes(box);
      {
        await using first = await serve(box, { env: cacheEnv(box) });
        await waitFor(() => first.listChanged() > 0, 15_000, "the first run to cache the catalog");
      }
      const before = starts(box);
      await using session = await serve(box, { env: cacheEnv(box) });
      const names = (await session.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("one__wait");
      expect(names).toContain("two__wait");
      const status = await session.client.callTool({ name: "hangar_status", arguments: {} });
      const providers = (status.structuredContent as { providers: { state: string; catalog: string }[] }).providers;
      expect(providers.map((p) => [p.state, p.catalog])).toEqual([
        ["cold", "cache"],
        ["cold", "cache"],
      ]);
      expect(session.children()).toEqual([]);
      expect(starts(box)).toBe(before);
    },
    TIMEOUT_MS,
  );

  test(
    "Issue 11: hangar call caches the catalogs (with the era verdict) of the providers it started, so serve starts warm",
    async () => {
      using box = sandbox();
      probes(box);
      const batch = box.write(
        "one.json",
        JSON.stringify(["one", "two"].map((provider) => ({ provider, tool: "echo", arguments: { text: "hi" } }))),
      );
      const run = await runHangar(["call", batch, "--json"], box.options(cacheEnv(box)));
      expect(run.code).toBe(0);
      const files = readdirSync(join(box.root, "cache")).filter((f) => f.startsWith("catalog-"));
      expect(files).toHaveLength(2);
      const saved = JSON.parse(readFileSync(join(box.root, "cache", files[0]!), "utf8"));
      expect(saved.era).toMatchObject({ kind: "legacy" });
      expect(saved.catalog.tools.map((t: { name: string }) => t.name)).toContain("echo");
      const before = starts(box);
      await using session = await serve(box, { env: cacheEnv(box) });
      const names = (await session.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("one__wait");
      expect(names).toContain("two__wait");
      expect(session.children()).toEqual([]);
      expect(starts(box)).toBe(before);
    },
    TIMEOUT_MS,
  );

  test(
    "a provider's own tools/list_changed is followed: the new tool is listed and the client told",
    async () => {
      using box = sandbox();
      probes(box);
      await using session = await serve(box, { env: cacheEnv(box) });
      await waitFor(() => session.listChanged() === 1, 15_000, "the first listing");
      await session.client.callTool({ name: "one__add_tool", arguments: { name: "fresh" } });
      await waitFor(() => session.listChanged() === 2, 10_000, "a second tools/list_changed");
      expect((await session.client.listTools()).tools.map((t) => t.name)).toContain("one__fresh");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve: processes", () => {
  test(
    "when the client goes away, hangar exits and takes every provider (and their children) with it",
    async () => {
      using box = sandbox();
      probes(box);
      const session = await serve(box, { env: cacheEnv(box) });
      const batch = await session.client.callTool({
        name: "hangar_call",
        arguments: {
          calls: [
            { provider: "one", tool: "grandchild" },
            { provider: "two", tool: "echo", arguments: { text: "x" } },
          ],
        },
      });
      const grandchild = Number(
        (batch.structuredContent as { results: { result: { content: { text: string }[] } }[] }).results[0]!.result
          .content[0]!.text,
      );
      const below = session.children();
      expect(below.length).toBeGreaterThanOrEqual(3);
      expect(isAlive(grandchild)).toBe(true);
      await session.client.close();
      await waitFor(
        () => !isAlive(session.pid) && below.every((pid) => !isAlive(pid)) && !isAlive(grandchild),
        15_000,
        "hangar, its providers and the grandchild to exit",
      );
      await session[Symbol.asyncDispose]();
    },
    TIMEOUT_MS,
  );
});
