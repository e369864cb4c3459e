import { describe, expect, test } from "bun:test";
import { RateLimitedLog } from "../src/observability/rate-limited-log.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

function recorder(clock: FakeClock) {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const log = new RateLimitedLog({
    write: (fields, message) => lines.push({ fields, message }),
    message: "noise",
    summary: "more noise, not logged",
    burst: 3,
    windowMs: 10_000,
    clock,
  });
  return { log, lines };
}

describe("RateLimitedLog", () => {
  test("issue 9.7: a million lines cost the first few in full and one count per window", async () => {
    const clock = new FakeClock();
    const { log, lines } = recorder(clock);
    let built = 0;
    for (let i = 0; i < 1_000_000; i++) log.note(() => ({ line: `noise ${i}`, built: ++built }));
    expect(lines.map((l) => l.fields.line)).toEqual(["noise 0", "noise 1", "noise 2"]);
    expect(built).toBe(3); // Lines not logged are never even formatted.
    await clock.advance(10_000);
    expect(lines.at(-1)).toEqual({ fields: { not_logged: 999_997 }, message: "more noise, not logged" });
    expect(clock.pending).toBe(0); // A quiet source holds no timer.
  });

  test("each window starts with a fresh burst, and a window with nothing left out logs no count", async () => {
    const clock = new FakeClock();
    const { log, lines } = recorder(clock);
    log.note(() => ({ line: "a" }));
    await clock.advance(10_000);
    expect(lines).toHaveLength(1);
    for (let i = 0; i < 5; i++) log.note(() => ({ line: `b${i}` }));
    expect(lines.map((l) => l.fields.line)).toEqual(["a", "b0", "b1", "b2"]);
    log.flush();
    expect(lines.at(-1)!.fields).toEqual({ not_logged: 2 });
    expect(clock.pending).toBe(0);
  });
});
