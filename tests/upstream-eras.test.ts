// Issue 10, upstream: each provider is spoken to in the newest protocol era it offers, on the v2 SDK
// client. One batch across a 2026-only provider (tests/fixtures/modern-server.ts), a 2025-11-25 provider
// and a 2025-06-18 provider (probe-server.ts, pinned by PROBE_PROTOCOL) carries progress and
// cancellation to each; the era verdict is remembered beside the catalog, so a second start sends no
// `server/discover`; a provider that exits on a request before `initialize` still starts.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, type Progress } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import type { EraMemory, EraVerdict } from "../src/providers/index.ts";
import { CatalogCache } from "../src/serve/catalog-cache.ts";
import { runHangar, type Sandbox, sandbox } from "./helpers/e2e.ts";
import { httpProvider, startFixtureServer } from "./helpers/http.ts";
import { fixture, HANGAR } from "./helpers/paths.ts";
import { countingSpawner, waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";
import { serve } from "./helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** The three providers of the batch, each writing what it sees to its own log under `dir`. */
function eraProviders(dir: string, overrides: Partial<ResolvedProvider> = {}): ResolvedProvider[] {
  const provider = (id: string, script: string, env: Record<string, string>): ResolvedProvider => {
    const base = stdioProvider(id, fixture(script), overrides);
    return { ...base, transport: { ...base.transport, env } } as ResolvedProvider;
  };
  return [
    provider("modern", "modern-server.ts", { MODERN_LOG: join(dir, "modern.log") }),
    provider("current", "probe-server.ts", { PROBE_LOG: join(dir, "current.log") }),
    provider("older", "probe-server.ts", { PROBE_LOG: join(dir, "older.log"), PROBE_PROTOCOL: "2025-06-18" }),
  ];
}

/** The same three as hangar.yaml entries (JSON is YAML). */
function eraYaml(dir: string, extra: string[] = []): string {
  const entry = (p: ResolvedProvider) =>
    p.transport.kind === "stdio"
      ? `  - ${JSON.stringify({ id: p.id, command: [p.transport.command, ...p.transport.args], env: p.transport.env })}\n`
      : "";
  return `providers:\n${eraProviders(dir).map(entry).join("")}${extra.join("")}`;
}

const logOf = (dir: string, name: string): string[] => {
  try {
    return readFileSync(join(dir, `${name}.log`), "utf8")
      .split("\n")
      .filter(Boolean);
  } catch {
    return [];
  }
};
const count = (lines: string[], prefix: string) => lines.filter((line) => line.startsWith(prefix)).length;

/** A throwaway folder (provider logs, a cache), removed on dispose. */
function tempDir(): { readonly dir: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), "hangar-eras-"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An era memory that records what it is told, starting empty or with `known`. */
function recordingMemory(known: Record<string, EraVerdict> = {}): EraMemory & { remembered: Map<string, EraVerdict> } {
  const remembered = new Map<string, EraVerdict>();
  return {
    remembered,
    recall: (p) => known[p.id],
    remember: (p, verdict) => void remembered.set(p.id, verdict),
    forget: (p) => void remembered.delete(p.id),
  };
}

describe("Providers of every era in one batch (issue 10)", () => {
  test(
    "one batch across a 2026-only, a 2025-11-25 and a 2025-06-18 provider: each in its own era, progress and cancellation reach each",
    async () => {
      using temp = tempDir();
      const { dir } = temp;
      const eras = recordingMemory();
      const gateway = new Gateway(configOf(eraProviders(dir)), { eras });
      try {
        const ids = ["modern", "current", "older"];
        const progress = new Map<number, Progress[]>();
        const abort = new AbortController();
        const batch = gateway.stream(
          {
            calls: [
              ...ids.map((provider) => ({ provider, tool: "progress", arguments: { steps: 3 } })),
              ...ids.map((provider) => ({ provider, tool: "wait", arguments: {} })),
            ],
          },
          {
            signal: abort.signal,
            onProgress: (index, p) => progress.set(index, [...(progress.get(index) ?? []), p]),
          },
        );
        // The progress calls end; each wait runs: the modern one says so with progress 0, the others in their logs.
        const finished: number[] = [];
        const reading = (async () => {
          for await (const result of batch.results) finished.push(result.index);
        })();
        await waitFor(
          () =>
            [0, 1, 2].every((index) => finished.includes(index)) &&
            (progress.get(3)?.length ?? 0) > 0 &&
            count(logOf(dir, "current"), "waiting") === 1 &&
            count(logOf(dir, "older"), "waiting") === 1,
          15_000,
          "every wait call to run",
        );
        abort.abort();
        await reading;
        const result = await batch.collect();
        expect(result.results.slice(0, 3).map((r) => r.error)).toEqual([undefined, undefined, undefined]);
        for (const index of [0, 1, 2]) expect(progress.get(index)?.map((p) => p.progress)).toEqual([1, 2, 3]);
        expect(result.results.slice(3).map((r) => r.error?.type)).toEqual(["cancelled", "cancelled", "cancelled"]);
        await waitFor(
          () =>
            count(logOf(dir, "modern"), "cancelled") === 1 &&
            count(logOf(dir, "current"), "cancelled") === 1 &&
            count(logOf(dir, "older"), "cancelled") === 1,
          10_000,
          "each provider to see its call cancelled",
        );
        const versions = await Promise.all(
          ids.map((id) =>
            gateway.handles
              .get(id)!
              .withClient(AbortSignal.timeout(5_000), async (c) => c.getNegotiatedProtocolVersion()),
          ),
        );
        expect(versions).toEqual(["2026-07-28", "2025-11-25", "2025-06-18"]);
        // What the probes said is remembered: the modern provider's discover answer, the others as legacy.
        expect(eras.remembered.get("modern")).toMatchObject({
          kind: "modern",
          discover: { supportedVersions: ["2026-07-28"] },
        });
        expect(eras.remembered.get("current")).toEqual({ kind: "legacy" });
        expect(eras.remembered.get("older")).toEqual({ kind: "legacy" });
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a remembered verdict opens each provider with one process and no server/discover",
    async () => {
      using temp = tempDir();
      const { dir } = temp;
      const first = recordingMemory();
      const warm = new Gateway(configOf(eraProviders(dir)), { eras: first });
      await warm.run({
        calls: ["modern", "current", "older"].map((provider) => ({ provider, tool: "echo", arguments: { text: "x" } })),
      });
      await warm.close();
      expect(["modern", "current", "older"].map((id) => count(logOf(dir, id), "discover"))).toEqual([1, 1, 1]);

      const spawner = countingSpawner();
      const known = Object.fromEntries(first.remembered);
      const gateway = new Gateway(configOf(eraProviders(dir)), { spawner, eras: recordingMemory(known) });
      try {
        const batch = await gateway.run({
          calls: ["modern", "current", "older"].map((provider) => ({
            provider,
            tool: "echo",
            arguments: { text: "y" },
          })),
        });
        expect(batch.results.map((r) => r.ok)).toEqual([true, true, true]);
        expect(spawner.count).toBe(3);
        expect(["modern", "current", "older"].map((id) => count(logOf(dir, id), "discover"))).toEqual([1, 1, 1]);
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a provider that never answers server/discover starts as legacy after the probe's timeout, and that verdict is not remembered",
    async () => {
      using temp = tempDir();
      const { dir } = temp;
      const eras = recordingMemory();
      const silent = stdioProvider("silent", fixture("probe-server.ts"), { startupTimeoutMs: 4_000 });
      const provider = {
        ...silent,
        transport: { ...silent.transport, env: { PROBE_LOG: join(dir, "silent.log"), PROBE_SILENT: "1" } },
      } as ResolvedProvider;
      const gateway = new Gateway(configOf([provider]), { eras });
      try {
        const batch = await gateway.run({ calls: [{ provider: "silent", tool: "echo", arguments: { text: "late" } }] });
        expect(batch.results[0]).toMatchObject({ ok: true });
        expect(count(logOf(dir, "silent"), "discover")).toBe(1);
        expect(eras.remembered.size).toBe(0);
      } finally {
        await gateway.close();
      }
    },
    TIMEOUT_MS,
  );
});

describe("List changes of a 2026-07-28 provider (issue 10)", () => {
  test("a tool the provider adds is read again through subscriptions/listen", async () => {
    using temp = tempDir();
    const [modern] = eraProviders(temp.dir);
    const gateway = new Gateway(configOf([modern!]));
    try {
      const handle = gateway.handles.get("modern")!;
      await handle.ensureReady(AbortSignal.timeout(10_000));
      expect(handle.catalog.listed?.tools.map((t) => t.name)).not.toContain("fresh");
      const batch = await gateway.run({
        calls: [{ provider: "modern", tool: "add_tool", arguments: { name: "fresh" } }],
      });
      expect(batch.results[0]).toMatchObject({ ok: true });
      await waitFor(
        () => handle.catalog.listed?.tools.some((t) => t.name === "fresh") ?? false,
        10_000,
        "the added tool to be listed",
      );
    } finally {
      await gateway.close();
    }
  }, 20_000);
});

describe("A remote provider's era (issue 10)", () => {
  test("a 2025 provider over Streamable HTTP is probed once; the remembered verdict spares the next start the probe", async () => {
    await using server = await startFixtureServer();
    const provider = httpProvider("remote", server.url("/mcp"));
    const probes = async () => {
      const seen = (await (await fetch(server.url("/seen-headers"))).json()) as Record<string, string>[];
      return seen.filter((headers) => headers["mcp-method"] === "server/discover").length;
    };
    const eras = recordingMemory();
    const first = new Gateway(configOf([provider]), { eras });
    try {
      const batch = await first.run({ calls: [{ provider: "remote", tool: "echo", arguments: { message: "a" } }] });
      expect(batch.results[0]).toMatchObject({ ok: true });
    } finally {
      await first.close();
    }
    expect(await probes()).toBe(1);
    expect(eras.remembered.get("remote")).toEqual({ kind: "legacy" });

    const second = new Gateway(configOf([provider]), { eras: recordingMemory(Object.fromEntries(eras.remembered)) });
    try {
      const batch = await second.run({ calls: [{ provider: "remote", tool: "echo", arguments: { message: "b" } }] });
      expect(batch.results[0]).toMatchObject({ ok: true });
    } finally {
      await second.close();
    }
    expect(await probes()).toBe(1);
  }, 20_000);
});

describe("Providers of every era through the compiled binary (issue 10)", () => {
  /** Runs `hangar call --json` of `calls` in `box`. */
  async function call(box: Sandbox, calls: unknown[]) {
    const file = box.write("batch.json", JSON.stringify(calls));
    const run = await runHangar(["call", "--json", file], box.options());
    return { run, batch: JSON.parse(run.stdout) as { results: { ok: boolean; error?: { type: string } }[] } };
  }

  test(
    "`hangar call` runs one batch across the three eras, cancels each timed-out call upstream, and a second run probes none of them",
    async () => {
      using box = sandbox();
      const dir = box.root;
      box.write("hangar.yaml", eraYaml(dir));
      const ids = ["modern", "current", "older"];
      const { run, batch } = await call(box, [
        ...ids.map((provider) => ({ provider, tool: "echo", arguments: { text: provider } })),
        // The deadline counts from the batch's start, the providers' own start included: room for a loaded machine.
        ...ids.map((provider) => ({ provider, tool: "wait", arguments: {}, timeout_s: 5 })),
      ]);
      expect(run.stderr).not.toContain("rror");
      expect(batch.results.map((r) => r.ok)).toEqual([true, true, true, false, false, false]);
      expect(batch.results.slice(3).map((r) => r.error?.type)).toEqual(["timeout", "timeout", "timeout"]);
      await waitFor(
        () => ids.every((id) => count(logOf(dir, id), "cancelled") === 1),
        10_000,
        "each provider to see its timed-out call cancelled",
      );
      expect(ids.map((id) => count(logOf(dir, id), "discover"))).toEqual([1, 1, 1]);
      // The verdicts sit in the catalog cache of the sandbox's HOME.
      const cacheDir = join(box.home, ".hangar", "cache");
      const files = readdirSync(cacheDir)
        .filter((name) => name.startsWith("catalog-"))
        .map((name) => JSON.parse(readFileSync(join(cacheDir, name), "utf8")));
      expect(files.map((f) => [f.provider, f.format, f.era.kind]).sort()).toEqual([
        ["current", 2, "legacy"],
        ["modern", 2, "modern"],
        ["older", 2, "legacy"],
      ]);

      const again = await call(
        box,
        ids.map((provider) => ({ provider, tool: "echo", arguments: { text: provider } })),
      );
      expect(again.batch.results.map((r) => r.ok)).toEqual([true, true, true]);
      expect(ids.map((id) => count(logOf(dir, id), "started"))).toEqual([2, 2, 2]);
      expect(ids.map((id) => count(logOf(dir, id), "discover"))).toEqual([1, 1, 1]);
    },
    TIMEOUT_MS * 2,
  );

  test(
    "`hangar serve` relays each era's progress to its client, in order, before the result",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", eraYaml(box.root));
      await using session = await serve(box);
      const ids = ["modern", "current", "older"];
      await waitFor(
        async () => {
          const { tools } = await session.client.listTools();
          return ids.every((id) => tools.some((t) => t.name === `${id}__progress`));
        },
        15_000,
        "every provider's tools",
      );
      for (const id of ids) {
        const seen: number[] = [];
        await session.client.callTool({ name: `${id}__progress`, arguments: { steps: 3 } }, undefined, {
          onprogress: (p) => void seen.push(p.progress),
        });
        expect([id, seen]).toEqual([id, [1, 2, 3]]);
      }
    },
    TIMEOUT_MS,
  );

  test(
    "a provider that exits on a request before initialize still starts, and later starts spawn it once",
    async () => {
      using box = sandbox();
      const dir = box.root;
      const strict = {
        id: "strict",
        command: fixture("probe-server.ts"),
        env: { PROBE_LOG: join(dir, "strict.log"), PROBE_STRICT: "1" },
      };
      box.write("hangar.yaml", `providers:\n  - ${JSON.stringify(strict)}\n`);
      const first = await call(box, [{ provider: "strict", tool: "echo", arguments: { text: "hi" } }]);
      expect(first.batch.results.map((r) => r.ok)).toEqual([true]);
      expect(count(logOf(dir, "strict"), "strict exit on server/discover")).toBe(1);
      expect(count(logOf(dir, "strict"), "started")).toBe(2);

      const second = await call(box, [{ provider: "strict", tool: "echo", arguments: { text: "hi" } }]);
      expect(second.batch.results.map((r) => r.ok)).toEqual([true]);
      expect(count(logOf(dir, "strict"), "started")).toBe(3);
      expect(count(logOf(dir, "strict"), "strict exit")).toBe(1);
    },
    TIMEOUT_MS,
  );
});

describe("The era verdict in the catalog cache (issue 10)", () => {
  const provider = stdioProvider("p", ["x"]);
  const discover = {
    supportedVersions: ["2026-07-28"],
    capabilities: { tools: {} },
    serverInfo: { name: "m", version: "1" },
  } as unknown as Extract<EraVerdict, { kind: "modern" }>["discover"];

  test("a legacy verdict is trusted for 24 hours, then the provider is probed again", () => {
    using temp = tempDir();
    const cache = new CatalogCache(temp.dir);
    const now = Date.now();
    cache.remember(provider, { kind: "legacy" }, now - 23 * 3_600_000);
    expect(cache.recall(provider, now)).toEqual({ kind: "legacy" });
    cache.remember(provider, { kind: "legacy" }, now - 25 * 3_600_000);
    expect(cache.recall(provider, now)).toBeUndefined();
  });

  test("the catalog and the verdict are kept side by side; forgetting the verdict keeps the catalog", () => {
    using temp = tempDir();
    const cache = new CatalogCache(temp.dir);
    const catalog = {
      tools: [{ name: "t", inputSchema: { type: "object" as const } }],
      prompts: [],
      resources: [],
      resourceTemplates: [],
    };
    cache.remember(provider, { kind: "modern", discover });
    cache.write(provider, catalog);
    expect(cache.recall(provider)).toEqual({ kind: "modern", discover });
    expect(cache.read(provider)).toEqual(catalog);
    cache.forget(provider);
    expect(cache.recall(provider)).toBeUndefined();
    expect(cache.read(provider)).toEqual(catalog);
  });
});

describe("The demo provider on the v2 server package (issue 10)", () => {
  test("it serves a client pinned to 2026-07-28 and a 2025 client alike", async () => {
    const [command = "", ...args] = [...HANGAR, "demo-provider", "--name", "both"];
    const modern = new Client({ name: "t", version: "1" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await modern.connect(new StdioClientTransport({ command, args, stderr: "ignore" }));
    try {
      expect(modern.getProtocolEra()).toBe("modern");
      const answer = await modern.callTool({ name: "echo", arguments: { message: "new" } });
      expect(answer.content).toEqual([{ type: "text", text: "new" }]);
    } finally {
      await modern.close();
    }
    const legacy = new Client({ name: "t", version: "1" });
    await legacy.connect(new StdioClientTransport({ command, args, stderr: "ignore" }));
    try {
      expect(legacy.getProtocolEra()).toBe("legacy");
      const answer = await legacy.callTool({ name: "add", arguments: { a: 1, b: 2 } });
      expect(answer.structuredContent).toEqual({ sum: 3 });
    } finally {
      await legacy.close();
    }
  }, 20_000);

  test("Hangar speaks 2026-07-28 to it, a call's result carries nothing of that hop, and a health check reaches it", async () => {
    const gateway = new Gateway(configOf([demoProvider("demo")]));
    try {
      const batch = await gateway.run({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "hi" } }] });
      expect(batch.results[0]?.result).toEqual({ content: [{ type: "text", text: "hi" }] });
      const version = await gateway.handles
        .get("demo")!
        .withClient(AbortSignal.timeout(5_000), async (c) => c.getNegotiatedProtocolVersion());
      expect(version).toBe("2026-07-28");
      // The 2026 era has no `ping`: health checks (and doctor) still reach it.
      expect(await gateway.handles.get("demo")!.ping(AbortSignal.timeout(5_000))).toBeNumber();
    } finally {
      await gateway.close();
    }
  }, 20_000);
});

describe("Health checks in every era (issue 10)", () => {
  test("a 2026-07-28 provider, which has no ping, answers the health check with server/discover; a 2025 one with ping", async () => {
    using box = tempDir();
    const gateway = new Gateway(configOf(eraProviders(box.dir)));
    try {
      for (const id of ["modern", "current", "older"]) {
        const latency = await gateway.handles.get(id)!.ping(AbortSignal.timeout(10_000));
        expect(latency).toBeGreaterThanOrEqual(0);
      }
      expect(gateway.handles.get("modern")!.state).toBe("ready");
    } finally {
      await gateway.close();
    }
  }, 30_000);
});
