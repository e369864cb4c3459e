import { describe, expect, test } from "bun:test";
import { TASK_LEASE_CAP_MS, TASK_LEASE_DEFAULT_MS, TaskLeases } from "../src/serve/task-leases.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

/** A hold that counts its releases. */
function counted() {
  const hold = { released: 0, release: () => void hold.released++ };
  return hold;
}

describe("TaskLeases: a relayed task holds its provider until it ends or its time runs out", () => {
  test("the hold ends at the task's ttlMs", async () => {
    const clock = new FakeClock();
    const leases = new TaskLeases(clock);
    const hold = counted();
    leases.hold("p\u0000t", hold.release, 1_500);
    await clock.advance(1_499);
    expect(hold.released).toBe(0);
    await clock.advance(1);
    expect(hold.released).toBe(1);
    expect(leases.size).toBe(0);
  });

  test("without a ttlMs the hold lasts the default; a longer ttlMs is capped", async () => {
    const clock = new FakeClock();
    const leases = new TaskLeases(clock);
    const none = counted();
    const long = counted();
    leases.hold("a", none.release, null);
    leases.hold("b", long.release, 7 * TASK_LEASE_CAP_MS);
    await clock.advance(TASK_LEASE_DEFAULT_MS);
    expect([none.released, long.released]).toEqual([1, 0]);
    await clock.advance(TASK_LEASE_CAP_MS - TASK_LEASE_DEFAULT_MS);
    expect(long.released).toBe(1);
  });

  test("ending a task releases its hold once and disarms its timer", async () => {
    const clock = new FakeClock();
    const leases = new TaskLeases(clock);
    const hold = counted();
    leases.hold("a", hold.release, 1_000);
    leases.end("a");
    leases.end("a");
    await clock.advance(5_000);
    expect(hold.released).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
