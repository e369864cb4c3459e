// Dependent calls keep the batch's other meanings (issue 14 item 1): fail_fast, cancellation, the batch
// deadline, and pass-through calls that never read references. In-process gateway, real providers.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gateway } from "../src/gateway/index.ts";
import { demoInMemory } from "./helpers/in-memory-driver.ts";
import { fixture } from "./helpers/paths.ts";
import { waitFor } from "./helpers/processes.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
/** The json fixture's log of each call's start and end. */
const log = join(mkdtempSync(join(tmpdir(), "hangar-json-")), "log");
function gateway(): Gateway {
  writeFileSync(log, "");
  const [command, ...args] = fixture("json-server.ts");
  const j = stdioProvider("j", fixture("json-server.ts"), {
    transport: { kind: "stdio", command: command!, args, env: { JSON_LOG: log }, cwd: undefined },
  });
  // The demo provider runs in memory; the json fixture logs each call's start and end from its own process.
  const g = new Gateway(configOf([j, demoProvider("demo")]), { driverFor: demoInMemory() });
  open.push(g);
  return g;
}
const ref = (text: string) => ({ "$hangar.ref": text });
const slow = (id: string, ms: number) => ({
  id,
  provider: "j",
  tool: "json",
  arguments: { value: { id }, delay_ms: ms, label: id },
});
const after = (id: string, on: string) => ({
  id,
  provider: "j",
  tool: "json",
  arguments: { value: { from: ref(`${on}#/id`) } },
});

describe("Dependent calls and the batch's other options", () => {
  test("with fail_fast, a failure cancels the calls still waiting on their dependencies", async () => {
    const batch = await gateway().run({
      calls: [{ id: "broken", provider: "j", tool: "fail" }, slow("a", 5_000), after("b", "a")],
      fail_fast: true,
    });
    expect(batch.results.map((r) => r.error?.type)).toEqual(["tool_error", "cancelled", "cancelled"]);
  });

  test("cancelling the batch cancels the calls waiting on their dependencies, and they never run", async () => {
    const cancel = new AbortController();
    const stream = gateway().stream({ calls: [slow("a", 5_000), after("b", "a")] }, { signal: cancel.signal });
    const done = stream.collect();
    await waitFor(() => readFileSync(log, "utf8").includes("json start a"), 10_000, "call a to start");
    cancel.abort();
    const batch = await done;
    expect(batch.results.map((r) => r.error?.type)).toEqual(["cancelled", "cancelled"]);
    expect(batch.results[1]!.attempts).toBe(0);
  });

  test("a dependent call's deadline counts from the batch's start, its wait included", async () => {
    const batch = await gateway().run({ calls: [slow("a", 1_500), { ...after("b", "a"), timeout_s: 0.5 }] });
    expect(batch.results[0]!.ok).toBe(true);
    expect(batch.results[1]!.error?.type).toBe("timeout");
    expect(batch.results[1]!.attempts).toBe(0);
  });

  test("a pass-through call sends $hangar.ref as data: only batches read references", async () => {
    const result = await gateway().callOne({
      provider: "j",
      tool: "json",
      arguments: { value: { "$hangar.ref": "a#/x", n: 1 } },
    });
    expect(result.ok).toBe(true);
    expect(result.result?.structuredContent).toEqual({ "$hangar.ref": "a#/x", n: 1 });
  });
});
