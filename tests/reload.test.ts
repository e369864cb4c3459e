// Issue 17: a live reload is a diff against the running config, applied without dropping a call.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffConfig, sameLaunch } from "../src/config/config-diff.ts";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway } from "../src/gateway/index.ts";
import { Semaphore } from "../src/scheduler/index.ts";
import { CatalogCache } from "../src/serve/index.ts";
import { fixture } from "./helpers/paths.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
function gateway(providers: ResolvedProvider[]): Gateway {
  const g = new Gateway(configOf(providers));
  open.push(g);
  return g;
}

/** The reload fixture, its instance told apart by $RELOAD_TAG. */
function fixtureProvider(id: string, tag = "one", overrides: Partial<ResolvedProvider> = {}): ResolvedProvider {
  const [command, ...args] = fixture("reload-server.ts");
  return stdioProvider(id, fixture("reload-server.ts"), {
    transport: { kind: "stdio", command: command!, args, env: { RELOAD_TAG: tag }, cwd: undefined },
    ...overrides,
  });
}

function gatePath(): string {
  return join(mkdtempSync(join(tmpdir(), "hangar-reload-")), "gate");
}

/** Starts a `hold` call on provider `id` and waits until the provider is running it. */
async function holdCall(g: Gateway, id: string, gate: string) {
  const handle = g.handles.get(id)!;
  const result = g.callOne({ provider: id, tool: "hold", arguments: { gate } });
  await waitFor(() => handle.active === 1, 10_000, `a call running on "${id}"`);
  return { result, handle, pid: handle.pid! };
}

const whoOf = (result: { result?: unknown }) =>
  JSON.parse((result.result as { content: { text: string }[] }).content[0]!.text) as { pid: number; tag: string };

describe("Config diff (issue 17)", () => {
  const base = fixtureProvider("p");
  const launchChanges: Partial<ResolvedProvider>[] = [
    { transport: { kind: "stdio", command: "other", args: [], env: { RELOAD_TAG: "one" }, cwd: undefined } },
    {
      transport: {
        kind: "stdio",
        command: base.transport.kind === "stdio" ? base.transport.command : "",
        args: ["x"],
        env: {},
        cwd: undefined,
      },
    },
    {
      transport: {
        ...(base.transport as Extract<ResolvedProvider["transport"], { kind: "stdio" }>),
        env: { RELOAD_TAG: "two" },
      },
    },
    { transport: { ...(base.transport as Extract<ResolvedProvider["transport"], { kind: "stdio" }>), cwd: "/tmp" } },
    {
      transport: {
        ...(base.transport as Extract<ResolvedProvider["transport"], { kind: "stdio" }>),
        envInherit: "none",
      },
    },
    {
      transport: {
        ...(base.transport as Extract<ResolvedProvider["transport"], { kind: "stdio" }>),
        envWithheld: ["X"],
      },
    },
    { transport: { kind: "http", url: "http://127.0.0.1:1/mcp", headers: {}, protocol: "auto" } },
  ];
  test("Any change of a launch key relaunches the provider, and its catalog cache key changes with it", () => {
    const cache = new CatalogCache(tmpdir());
    for (const change of launchChanges) {
      const next = { ...base, ...change };
      const diff = diffConfig(configOf([base]), configOf([next]));
      expect(diff.relaunched.map((p) => p.id)).toEqual(["p"]);
      expect(diff.retuned).toEqual([]);
      expect(sameLaunch(base, next)).toBe(false);
      expect(cache.fileOf(next)).not.toBe(cache.fileOf(base));
    }
  });

  test("A policy-only change retunes the provider in place and keeps its catalog cache key", () => {
    const cache = new CatalogCache(tmpdir());
    const policies: Partial<ResolvedProvider>[] = [
      { maxConcurrency: 1 },
      { maxQueue: 3 },
      { callTimeoutMs: 5 },
      { startupTimeoutMs: 5 },
      { idleTtlMs: 5 },
      { healthCheckIntervalMs: 5 },
      { maxConsecutiveFailures: 9 },
      { circuitCooldownMs: 5 },
      { retries: 2 },
      { tools: { allow: [], deny: ["hold"] } },
      { expose: false },
      { prefix: false },
      { description: "new" },
    ];
    for (const change of policies) {
      const next = { ...base, ...change };
      const diff = diffConfig(configOf([base]), configOf([next]));
      expect(diff.retuned.map((p) => p.id)).toEqual(["p"]);
      expect(diff.relaunched).toEqual([]);
      expect(cache.fileOf(next)).toBe(cache.fileOf(base));
    }
  });

  test("Added and removed providers and the top-level limits are told apart", () => {
    const diff = diffConfig(configOf([base]), configOf([fixtureProvider("q")], { maxConcurrency: 2 }));
    expect(diff.added.map((p) => p.id)).toEqual(["q"]);
    expect(diff.removed).toEqual(["p"]);
    expect(diff.limits).toBe(true);
  });
});

describe("Semaphore resize (issue 17)", () => {
  test("A larger capacity lets waiters in at once; a smaller one holds new calls until permits come back", async () => {
    const permits = new Semaphore(1);
    const first = await permits.acquire();
    let second = false;
    const waiting = permits.acquire().then((release) => {
      second = true;
      return release;
    });
    permits.resize(2);
    const release2 = await waiting;
    expect(second).toBe(true);
    permits.resize(1);
    let third = false;
    const later = permits.acquire().then(() => (third = true));
    first();
    await Promise.resolve();
    expect(third).toBe(false);
    release2();
    await later;
    expect(permits.inUse).toBe(1);
  });
});

describe("Gateway reload (issue 17)", () => {
  test("An added provider is callable at once", async () => {
    const g = gateway([fixtureProvider("a")]);
    g.reload(configOf([fixtureProvider("a"), fixtureProvider("b", "bee")]));
    const result = await g.callOne({ provider: "b", tool: "whoami" });
    expect(result.ok).toBe(true);
    expect(whoOf(result).tag).toBe("bee");
  });

  test("A removed provider finishes its running call, refuses new ones with unknown_provider, then stops", async () => {
    const g = gateway([fixtureProvider("a"), fixtureProvider("b")]);
    const gate = gatePath();
    const { result, pid } = await holdCall(g, "b", gate);
    g.reload(configOf([fixtureProvider("a")]));
    const refused = await g.callOne({ provider: "b", tool: "whoami" });
    expect(refused.error?.type).toBe("unknown_provider");
    expect(g.retiring().map((r) => [r.handle.config.id, r.calls])).toEqual([["b", 1]]);
    expect(isAlive(pid)).toBe(true);
    writeFileSync(gate, "");
    const finished = await result;
    expect(finished.ok).toBe(true);
    expect(whoOf(finished).pid).toBe(pid);
    await g.drained();
    await waitFor(() => !isAlive(pid), 10_000, "the removed provider's process to exit");
    expect(g.retiring()).toEqual([]);
  });

  test("A changed env starts a new instance for new calls while the old one finishes its call", async () => {
    const g = gateway([fixtureProvider("p", "one")]);
    const gate = gatePath();
    const { result, pid } = await holdCall(g, "p", gate);
    g.reload(configOf([fixtureProvider("p", "two")]));
    const fresh = await g.callOne({ provider: "p", tool: "whoami" });
    expect(whoOf(fresh).tag).toBe("two");
    expect(whoOf(fresh).pid).not.toBe(pid);
    expect(isAlive(pid)).toBe(true);
    writeFileSync(gate, "");
    const old = await result;
    expect(whoOf(old)).toEqual({ pid, tag: "one" });
    await g.drained();
    await waitFor(() => !isAlive(pid), 10_000, "the old instance to exit");
    expect(isAlive(whoOf(fresh).pid)).toBe(true);
  });

  test("A deny that now covers a running call lets it finish and refuses the next", async () => {
    const g = gateway([fixtureProvider("p")]);
    const gate = gatePath();
    const { result, pid } = await holdCall(g, "p", gate);
    g.reload(configOf([fixtureProvider("p", "one", { tools: { allow: [], deny: ["hold"] } })]));
    expect(g.handles.get("p")!.pid).toBe(pid);
    const refused = await g.callOne({ provider: "p", tool: "hold", arguments: { gate } });
    expect(refused.error?.type).toBe("denied");
    writeFileSync(gate, "");
    expect((await result).ok).toBe(true);
    expect(g.retiring()).toEqual([]);
  });

  test("A policy-only change keeps the running process and applies the new limits", async () => {
    const g = gateway([fixtureProvider("p")]);
    const first = whoOf(await g.callOne({ provider: "p", tool: "whoami" }));
    const diff = g.reload(configOf([fixtureProvider("p", "one", { maxConcurrency: 1, callTimeoutMs: 5_000 })]));
    expect(diff.retuned.map((p) => p.id)).toEqual(["p"]);
    expect(g.handles.get("p")!.config.callTimeoutMs).toBe(5_000);
    expect(whoOf(await g.callOne({ provider: "p", tool: "whoami" })).pid).toBe(first.pid);
    expect(g.configRecord.status().last_reload?.result).toBe("applied");
  });
});
