// Issue 16 item 10: hangar_status reads every time on the gateway's one clock.
import { afterEach, describe, expect, test } from "bun:test";
import { Gateway } from "../src/gateway/index.ts";
import { silentLogger } from "../src/observability/log.ts";
import { Catalog } from "../src/serve/catalog.ts";
import { HANGAR_TOOL_NAMES } from "../src/serve/hangar-tools.ts";
import { statusOf } from "../src/serve/status.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { configOf, demoProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

describe("hangar_status times", () => {
  test("Hangar's and a provider's uptimes are read on the gateway's clock, whatever its origin (issue 16 item 10)", async () => {
    const clock = new FakeClock();
    await clock.advance(1_000_000); // a clock whose zero is far from performance.now()'s
    const gateway = new Gateway(configOf([demoProvider("demo", { idleTtlMs: 0 })]), { clock });
    const catalog = new Catalog(gateway, { reserved: HANGAR_TOOL_NAMES, logger: silentLogger });
    open.push(async () => {
      catalog.close();
      await gateway.close();
    });
    const startedAt = gateway.clock.now();
    await clock.advance(3_000);
    expect((await gateway.run({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "hi" } }] })).ok).toBe(
      true,
    );
    await clock.advance(7_000);
    const status = statusOf(gateway, catalog, startedAt);
    expect(status.uptime_s).toBe(10);
    expect(status.providers[0]).toMatchObject({
      id: "demo",
      state: "ready",
      circuit: { state: "closed" },
      uptime_s: 7,
      catalog: "live",
    });
  });
});
