// Issue 14 item 3 end to end: a search-only config (`defaults: {expose: false}`) keeps tools/list small,
// and hangar_tools {query} ranks tools from the cached catalogs without starting a provider, naming the
// providers whose catalogs are not known yet while they are listed in the background.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../src/config/index.ts";
import type { ProviderCatalog } from "../../src/pool/index.ts";
import { CatalogCache } from "../../src/serve/index.ts";
import { argvOf, isWatchdog, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { BUN, fixture, ROOT } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 60_000;
const catalogs = JSON.parse(readFileSync(join(ROOT, "tests/fixtures/reference-catalogs.json"), "utf8")) as Record<
  string,
  ProviderCatalog["tools"]
>;

interface Answer {
  tools: { provider: string; name: string; inputSchema: unknown; exposed_as?: string; score: number }[];
  unknown_providers?: { id: string; state: string }[];
}

const cacheDir = (box: Sandbox) => join(box.root, "cache");
const probeLog = (box: Sandbox) => join(box.root, "probe.log");
const starts = (box: Sandbox) => {
  try {
    return readFileSync(probeLog(box), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("started")).length;
  } catch {
    return 0;
  }
};

/**
 * Writes `yaml` as the sandbox's config and, for each provider named in `cached`, the reference server's
 * catalog into the disk cache, under the key hangar will look for.
 */
async function configWithCache(box: Sandbox, yaml: string, cached: Record<string, string>): Promise<void> {
  const path = box.write("hangar.yaml", yaml);
  const config = parseConfigText(yaml, path, box.env, box.home);
  const cache = new CatalogCache(cacheDir(box));
  for (const provider of config.providers) {
    const reference = cached[provider.id];
    if (reference === undefined) continue;
    cache.write(provider, { tools: catalogs[reference]!, prompts: [], resources: [], resourceTemplates: [] });
  }
}

/** A provider entry whose process, were it ever started, would log "started" to the sandbox's probe.log. */
const probe = (box: Sandbox, id: string, extra = "") =>
  `  - id: ${id}\n    command: ${JSON.stringify(fixture("probe-server.ts"))}\n    env: {PROBE_LOG: ${JSON.stringify(probeLog(box))}}\n${extra}`;

async function search(session: Awaited<ReturnType<typeof serve>>, query: string): Promise<Answer> {
  const result = await session.client.callTool({ name: "hangar_tools", arguments: { query } });
  expect(result.isError).toBeUndefined();
  return result.structuredContent as unknown as Answer;
}

describe("hangar serve: tool search (issue 14 item 3)", () => {
  test(
    "defaults: {expose: false} keeps providers out of tools/list (one provider overriding it); hangar_tools {query} ranks their cached tools, starts none, and names a provider not listed yet",
    async () => {
      using box = sandbox();
      const later = `  - id: later\n    command: ${JSON.stringify(fixture("silent-server.ts"))}\n    startup_timeout_s: 120\n`;
      await configWithCache(
        box,
        `defaults: {expose: false}\nproviders:\n${probe(box, "files")}${probe(box, "everything")}${probe(box, "memory", "    expose: true\n")}${later}`,
        { files: "filesystem", everything: "everything", memory: "memory" },
      );
      await using session = await serve(box, { env: { HANGAR_CACHE_DIR: cacheDir(box) } });

      const listed = (await session.client.listTools()).tools.map((t) => t.name);
      expect(listed.filter((name) => !name.startsWith("hangar_"))).toEqual(
        catalogs.memory!.map((tool) => `memory__${tool.name}`),
      );

      const folder = await search(session, "Make a new folder, including any missing parent folders");
      expect(folder.tools[0]).toMatchObject({ provider: "files", name: "create_directory" });
      expect(folder.tools[0]!.inputSchema).toMatchObject({ type: "object", properties: { path: {} } });
      expect(folder.tools[0]!.exposed_as).toBeUndefined();
      expect(folder.unknown_providers).toEqual([{ id: "later", state: "starting" }]);

      const facts = await search(session, "Attach new facts to an entity that already exists");
      expect(facts.tools[0]).toMatchObject({
        provider: "memory",
        name: "add_observations",
        exposed_as: "memory__add_observations",
      });

      // Nothing with a cached catalog was started: only the provider with none is (its process, and
      // the watchdog hangar puts beside each provider).
      expect(starts(box)).toBe(0);
      const started = session.children().filter((pid) => !isWatchdog(pid));
      expect(started.every((pid) => argvOf(pid).some((arg) => arg.endsWith("silent-server.ts")))).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "a provider with no cached catalog is listed in the background, and a later search finds its tools",
    async () => {
      using box = sandbox();
      // Slower to start than the warm-up holds answers back (3 s), so the first search cannot see it.
      const slow = `  - id: slow\n    command: [sh, -c, ${JSON.stringify(`sleep 8; exec ${BUN} ${fixture("probe-server.ts")[1]}`)}]\n    expose: false\n`;
      await configWithCache(box, `providers:\n${probe(box, "memory")}${slow}`, { memory: "memory" });
      await using session = await serve(box, { env: { HANGAR_CACHE_DIR: cacheDir(box) } });

      const first = await search(session, "wait until cancelled");
      expect(first.tools.some((t) => t.provider === "slow")).toBe(false);
      expect(first.unknown_providers).toEqual([{ id: "slow", state: "starting" }]);

      let later: Answer | undefined;
      await waitFor(
        async () => {
          later = await search(session, "wait until cancelled");
          return later.unknown_providers === undefined;
        },
        30_000,
        "the slow provider to be listed",
      );
      expect(later!.tools[0]).toMatchObject({ provider: "slow", name: "wait" });
      expect(starts(box)).toBe(0);
    },
    TIMEOUT_MS,
  );
});
