// Issue 16 item 6: the Catalog is a store with change notification on the injected clock; starting
// providers for it is the gateway's `startAll`.
import { afterEach, describe, expect, test } from "bun:test";
import { Gateway } from "../src/gateway/index.ts";
import { silentLogger } from "../src/observability/log.ts";
import { type Spawner, systemSpawner } from "../src/providers/index.ts";
import { Catalog, type ListKind } from "../src/serve/catalog.ts";
import { HANGAR_TOOL_NAMES } from "../src/serve/hangar-tools.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { countingSpawner, waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

describe("Catalog change notification (issue 16 item 6)", () => {
  test("A provider's new lists are told to listeners once, settleMs later on the gateway's clock", async () => {
    const clock = new FakeClock();
    const gateway = new Gateway(configOf([demoProvider("a"), demoProvider("b")]), { clock });
    const catalog = new Catalog(gateway, { reserved: HANGAR_TOOL_NAMES, logger: silentLogger, settleMs: 50 });
    open.push(async () => {
      catalog.close();
      await gateway.close();
    });
    const heard: ReadonlySet<ListKind>[] = [];
    catalog.onChange((kinds) => heard.push(kinds));
    const batch = await gateway.run({
      calls: [
        { provider: "a", tool: "echo", arguments: { message: "a" } },
        { provider: "b", tool: "echo", arguments: { message: "b" } },
      ],
    });
    expect(batch.ok).toBe(true);
    expect(catalog.entry("a").source).toBe("live");
    expect(catalog.exposed.resolveTool("a__echo")).toEqual({ providerId: "a", name: "echo" });
    await clock.advance(49);
    expect(heard).toEqual([]);
    await clock.advance(1);
    expect(heard.length).toBe(1);
    expect(heard[0]!.has("tools")).toBe(true);
  });
});

describe("The warm-up's hold on change notification", () => {
  test("Listings during the warm-up are held back until it ends or its hold lapses, then told once", async () => {
    const clock = new FakeClock();
    // "b" never answers: the warm-up waits for it until the hold lapses (3000 ms on the fake clock).
    const providers = [demoProvider("a"), stdioProvider("b", ["sleep", "600"])];
    const gateway = new Gateway(configOf(providers), { clock });
    const catalog = new Catalog(gateway, { reserved: HANGAR_TOOL_NAMES, logger: silentLogger, settleMs: 50 });
    const warmUp = new AbortController();
    open.push(async () => {
      warmUp.abort();
      catalog.close();
      await gateway.close();
    });
    const heard: ReadonlySet<ListKind>[] = [];
    catalog.onChange((kinds) => heard.push(kinds));
    const warming = catalog.warmUp(warmUp.signal);
    await waitFor(() => catalog.entry("a").source === "live", 10_000, "provider a listed");
    await clock.advance(100);
    expect(heard).toEqual([]);
    await clock.advance(2900);
    await clock.advance(50);
    expect(heard.length).toBe(1);
    expect(heard[0]!.has("tools")).toBe(true);
    warmUp.abort();
    await warming.catch(() => {});
  });
});

describe("Gateway.startAll (issue 16 item 6)", () => {
  test("startAll starts only the providers asked for, never more than `concurrency` at once, and resolves with the failures", async () => {
    let peak = 0;
    const ids = ["a", "b", "c", "d", "skipped"];
    const spawner: Spawner = (request) => {
      const starting = [...gateway.handles.values()].filter((h) => h.state === "starting").length;
      peak = Math.max(peak, starting);
      return systemSpawner(request);
    };
    const gateway = new Gateway(
      configOf([...ids.map((id) => demoProvider(id)), stdioProvider("broken", ["/nonexistent/hangar-test-command"])]),
      { spawner },
    );
    open.push(() => gateway.close());
    const failures = await gateway.startAll({
      signal: AbortSignal.timeout(30_000),
      concurrency: 2,
      only: (handle) => handle.config.id !== "skipped",
    });
    expect([...failures.keys()]).toEqual(["broken"]);
    expect(peak).toBe(2);
    expect(ids.map((id) => gateway.handles.get(id)!.state)).toEqual(["ready", "ready", "ready", "ready", "cold"]);
  });

  test("startAll stops starting providers once its signal aborts, and reports no failure for them", async () => {
    const gateway = new Gateway(configOf([demoProvider("a"), demoProvider("b")]));
    open.push(() => gateway.close());
    const caller = new AbortController();
    caller.abort();
    const failures = await gateway.startAll({ signal: caller.signal, concurrency: 1 });
    expect(failures.size).toBe(0);
    expect([...gateway.handles.values()].map((h) => h.state)).toEqual(["cold", "cold"]);
  });
});

describe("Catalog.listInBackground (issue 14 item 3)", () => {
  test("returns at once, lists each provider with no catalog yet in one shared listing, and stops with close()", async () => {
    const spawner = countingSpawner();
    const gateway = new Gateway(configOf([demoProvider("a"), demoProvider("b")]), { spawner });
    const catalog = new Catalog(gateway, { reserved: HANGAR_TOOL_NAMES, logger: silentLogger });
    open.push(async () => {
      catalog.close();
      await gateway.close();
    });
    catalog.listInBackground();
    catalog.listInBackground();
    expect(catalog.entry("a").source).toBe("none");
    await waitFor(() => catalog.entry("a").source === "live" && catalog.entry("b").source === "live", 20_000);
    catalog.listInBackground();
    expect(spawner.count).toBe(2);

    const other = new Gateway(configOf([demoProvider("c")]), { spawner });
    open.push(() => other.close());
    const closed = new Catalog(other, { reserved: HANGAR_TOOL_NAMES, logger: silentLogger });
    closed.close();
    closed.listInBackground();
    expect(spawner.count).toBe(2);
  });
});
