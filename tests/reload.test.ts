// Issue 17: a live reload is a diff against the running config, applied without dropping a call.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffConfig, sameLaunch } from "../src/config/config-diff.ts";
import { parseConfigText } from "../src/config/index.ts";
import type { ResolvedProvider } from "../src/config/types.ts";
import { watchConfigFile } from "../src/config/watch.ts";
import { TimeoutError } from "../src/errors.ts";
import { ConfigReloader, Gateway } from "../src/gateway/index.ts";
import { createLogger } from "../src/observability/log.ts";
import { ProviderBreaker } from "../src/pool/breaker.ts";
import { Semaphore } from "../src/scheduler/index.ts";
import { CatalogCache } from "../src/serve/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
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

  test("A provider setting that is not a known policy (a launch key another issue adds) relaunches", () => {
    const next = { ...base, perClient: true } as ResolvedProvider;
    expect(diffConfig(configOf([base]), configOf([next])).relaunched.map((p) => p.id)).toEqual(["p"]);
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

describe("Config file watch (issue 17)", () => {
  test("A burst of saves (rename over, in-place writes) is one change, told after the quiet time on the clock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-watch-"));
    const path = join(dir, "hangar.yaml");
    writeFileSync(path, "providers: []\n");
    const clock = new FakeClock();
    let changes = 0;
    const watch = watchConfigFile({ path, clock, debounceMs: 200, onChange: () => changes++ });
    try {
      writeFileSync(`${path}.tmp`, "a: 1\n");
      renameSync(`${path}.tmp`, path);
      writeFileSync(path, "a: 2\n");
      writeFileSync(join(dir, "unrelated.log"), "noise");
      await waitFor(() => clock.pending > 0, 5_000, "the watch to see the saves");
      await clock.advance(199);
      expect(changes).toBe(0);
      // Events still on their way only push it later; however many, the burst is one change.
      await clock.advance(2_000);
      expect(changes).toBe(1);
      expect(clock.pending).toBe(0);
    } finally {
      watch.close();
    }
  });
});

describe("ConfigReloader (issue 17)", () => {
  /** A config file whose provider's RELOAD_TAG is `${TAG}`, and a gateway running it. */
  async function fileGateway(extra = "", savedBeforeWatch?: string) {
    const dir = mkdtempSync(join(tmpdir(), "hangar-reloader-"));
    const path = join(dir, "hangar.yaml");
    const text = (more: string) =>
      `providers:\n  - ${JSON.stringify({ id: "p", command: fixture("reload-server.ts"), env: { RELOAD_TAG: "${TAG}" } })}\n${more}`;
    writeFileSync(path, text(extra));
    const env = { ...process.env, TAG: "at-start" };
    const g = new Gateway(parseConfigText(readFileSync(path, "utf8"), path, env));
    open.push(g);
    const logPath = join(dir, "log");
    const fd = openSync(logPath, "w");
    const logger = createLogger({ level: "warn", pretty: false, sync: true, fd });
    const results: string[] = [];
    const reloader = new ConfigReloader({ gateway: g, logger, env, onResult: (r) => results.push(r) });
    if (savedBeforeWatch !== undefined) writeFileSync(path, text(savedBeforeWatch));
    await reloader.remember();
    return { g, path, text, reloader, results, log: () => readFileSync(logPath, "utf8") };
  }

  test("${VAR} values stay those of hangar's environment at its start", async () => {
    const { g, path, text, reloader } = await fileGateway();
    const before = process.env.TAG;
    process.env.TAG = "changed-later";
    try {
      writeFileSync(path, text("max_concurrency: 3\n"));
      expect(await reloader.reload("file")).toBe("applied");
    } finally {
      if (before === undefined) delete process.env.TAG;
      else process.env.TAG = before;
    }
    expect(g.config.maxConcurrency).toBe(3);
    expect(whoOf(await g.callOne({ provider: "p", tool: "whoami" })).tag).toBe("at-start");
  });

  test("A save between the first load and the start of the watch is applied at once", async () => {
    const { g, reloader, results } = await fileGateway("", "max_concurrency: 5\n");
    expect(await reloader.reload("file")).toBeUndefined(); // queued after the catch-up reload, which applied it
    expect(g.config.maxConcurrency).toBe(5);
    expect(results).toEqual(["applied"]);
  });

  test("A change seen while Hangar shuts down is no reload and no warning", async () => {
    const { g, path, text, reloader, results, log } = await fileGateway();
    await g.close();
    writeFileSync(path, text("max_concurrency: 3\n"));
    expect(await reloader.reload("file")).toBeUndefined();
    expect(results).toEqual([]);
    expect(log()).toBe("");
  });

  test("An invalid file changes nothing, is logged once, and the next valid save applies", async () => {
    const { g, path, text, reloader, results, log } = await fileGateway();
    const hash = g.configRecord.status().hash;
    expect(await reloader.reload("file")).toBeUndefined(); // the file as loaded: no reload at all
    writeFileSync(path, text("max_concurency: 3\n"));
    expect(await reloader.reload("file")).toBe("failed");
    expect(await reloader.reload("file")).toBeUndefined(); // the same broken text again
    expect(await reloader.reload("SIGHUP")).toBe("failed");
    expect(g.configRecord.status()).toMatchObject({ hash, last_reload: { result: "failed", trigger: "SIGHUP" } });
    expect(g.configRecord.lastError).toContain(`${path}:3:1`);
    expect(log().trim().split("\n")).toHaveLength(1);
    writeFileSync(path, text("max_concurrency: 3\n"));
    expect(await reloader.reload("file")).toBe("applied");
    expect(g.configRecord.status().hash).not.toBe(hash);
    expect(g.configRecord.lastError).toBeUndefined();
    expect(results).toEqual(["failed", "failed", "applied"]);
  });
});

describe("Policies applied in place (issue 17)", () => {
  test("New breaker thresholds apply to the running breaker, keeping the failures it counted", async () => {
    const clock = new FakeClock();
    const options = { id: "p", maxConsecutiveFailures: 3, circuitCooldownMs: 30_000, callTimeoutMs: 1_000 };
    const breaker = new ProviderBreaker(options, clock);
    const failure = new TimeoutError("The call timed out after 1 s", 1_000);
    await expect(breaker.execute(() => Promise.reject(failure))).rejects.toBe(failure);
    expect(breaker.state).toBe("closed");
    breaker.retune({ ...options, maxConsecutiveFailures: 2, circuitCooldownMs: 5_000 });
    await expect(breaker.execute(() => Promise.reject(failure))).rejects.toBe(failure);
    expect([breaker.state, breaker.remainingMs()]).toEqual(["open", 5_000]);
    await clock.advance(5_000);
    expect(breaker.state).toBe("half-open");
  });

  test("A new idle TTL applies to the running provider, on the clock", async () => {
    const clock = new FakeClock();
    const g = new Gateway(configOf([fixtureProvider("p", "one", { idleTtlMs: 600_000 })]), { clock });
    open.push(g);
    const pid = whoOf(await g.callOne({ provider: "p", tool: "whoami" })).pid;
    g.reload(configOf([fixtureProvider("p", "one", { idleTtlMs: 1_000 })]));
    expect(g.handles.get("p")!.state).toBe("ready");
    await clock.advance(1_000);
    await waitFor(() => !isAlive(pid) && g.handles.get("p")!.state === "stopped", 10_000, "the idle provider to stop");
  });
});
