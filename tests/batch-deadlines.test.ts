// Issue 11, `hangar_call` fan-out: what a batch's calls cost the scheduler (deadline timers and abort
// listeners), with every deadline and cancellation kept.
import { describe, expect, test } from "bun:test";
import { CancelledError, TimeoutError } from "../src/errors.ts";
import { afterDeadline } from "../src/scheduler/deadline-timers.ts";
import { type BatchCall, runBatch, Semaphore, type Settled } from "../src/scheduler/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

/** Calls the test finishes by hand (index → finish), keeping each call's signal. */
function handCalls(count: number, timeoutMs: (index: number) => number) {
  const finish: ((value: string) => void)[] = [];
  const signals: AbortSignal[] = [];
  const calls = Array.from(
    { length: count },
    (_, index): BatchCall<string> => ({
      key: "p",
      timeoutMs: timeoutMs(index),
      run: (signal) => {
        signals[index] = signal;
        return new Promise<string>((resolve) => {
          finish[index] = resolve;
        });
      },
    }),
  );
  return { calls, finish, signals };
}

async function collect<R>(iterator: AsyncIterable<Settled<R>>): Promise<Settled<R>[]> {
  const out: Settled<R>[] = [];
  for await (const settled of iterator) out.push(settled);
  return out;
}

const settleTurns = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe("Issue 11: a batch's deadlines", () => {
  test("Calls of a batch with the same timeout share one timer, which fires once, for nothing, after the last settles", async () => {
    const clock = new FakeClock();
    const { calls, finish } = handCalls(50, (i) => (i < 40 ? 60_000 : 5_000));
    const run = collect(runBatch(calls, { clock, global: new Semaphore(64), permitsFor: () => undefined }));
    await settleTurns();
    expect(clock.pending).toBe(2);
    for (let i = 0; i < 40; i++) finish[i]!("done");
    await settleTurns();
    expect(clock.pending).toBe(2);
    for (let i = 40; i < 50; i++) finish[i]!("done");
    expect((await run).every((s) => s.value === "done")).toBe(true);
    // One timer per length is left; each fires once and is not set again.
    expect(clock.pending).toBe(2);
    await clock.advance(60_000);
    expect(clock.pending).toBe(0);
  });

  test("Each call still running at a shared deadline times out with its own error; calls that settled are left alone", async () => {
    const clock = new FakeClock();
    const { calls, finish, signals } = handCalls(5, () => 1_000);
    const run = collect(runBatch(calls, { clock, global: new Semaphore(64), permitsFor: () => undefined }));
    await settleTurns();
    finish[0]!("early");
    finish[1]!("early");
    await settleTurns();
    await clock.advance(1_000);
    const settled = (await run).sort((a, b) => a.index - b.index);
    expect(settled.slice(0, 2).map((s) => s.value)).toEqual(["early", "early"]);
    const errors = settled.slice(2).map((s) => s.error);
    for (const error of errors) {
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toBe("The call timed out after 1 s");
    }
    expect(new Set(errors).size).toBe(3);
    expect(signals.slice(0, 2).map((s) => s.aborted)).toEqual([false, false]);
    expect(signals.slice(2).map((s) => s.aborted)).toEqual([true, true, true]);
  });

  test("Cancelling a batch aborts each running call, in call order, and none that settled", async () => {
    const clock = new FakeClock();
    const { calls, finish, signals } = handCalls(4, () => Number.POSITIVE_INFINITY);
    const order: number[] = [];
    const cancel = new AbortController();
    const run = collect(
      runBatch(
        calls.map((call, index) => ({
          ...call,
          run: (signal: AbortSignal) => {
            signal.addEventListener("abort", () => order.push(index));
            return call.run(signal);
          },
        })),
        { clock, global: new Semaphore(64), permitsFor: () => undefined, signals: [cancel.signal] },
      ),
    );
    await settleTurns();
    finish[1]!("done");
    await settleTurns();
    cancel.abort(new CancelledError("the caller went away"));
    const settled = (await run).sort((a, b) => a.index - b.index);
    expect(order).toEqual([0, 2, 3]);
    expect(settled.map((s) => s.value ?? (s.error as Error).message)).toEqual([
      "the caller went away",
      "done",
      "the caller went away",
      "the caller went away",
    ]);
    expect(signals[1]!.aborted).toBe(false);
  });

  test("A 50-call batch adds no abort listener per call to the scheduler's signals", async () => {
    const clock = new FakeClock();
    const { calls, finish } = handCalls(50, () => 60_000);
    const add = AbortSignal.prototype.addEventListener;
    let listeners = 0;
    AbortSignal.prototype.addEventListener = function (this: AbortSignal, ...args: Parameters<typeof add>) {
      listeners++;
      return add.apply(this, args);
    } as typeof add;
    try {
      const run = collect(
        runBatch(calls, {
          clock,
          global: new Semaphore(64),
          permitsFor: () => new Semaphore(64),
          signals: [new AbortController().signal],
        }),
      );
      await settleTurns();
      for (const done of finish) done("done");
      expect((await run).length).toBe(50);
    } finally {
      AbortSignal.prototype.addEventListener = add;
    }
    // The link to the caller's signal and the batch's own listener: none per call (it was two).
    expect(listeners).toBeLessThanOrEqual(2);
  });

  test("A 50-call batch with one timeout sets one clock timer, which its batch deadline of that length shares", async () => {
    const clock = new FakeClock();
    const { calls, finish } = handCalls(50, () => 60_000);
    const options = { clock, global: new Semaphore(64), permitsFor: () => undefined, batchTimeoutMs: 60_000 };
    const run = collect(runBatch(calls, options));
    await settleTurns();
    expect(clock.pending).toBe(1);
    for (const done of finish) done("done");
    expect((await run).every((s) => s.value === "done")).toBe(true);
    expect(clock.pending).toBe(1);
    await clock.advance(60_000);
    expect(clock.pending).toBe(0);
  });

  test("Two batches and a single call with the same timeout share one clock timer; each call times out on its own", async () => {
    const clock = new FakeClock();
    const first = handCalls(3, () => 1_000);
    const second = handCalls(3, () => 1_000);
    const options = { clock, global: new Semaphore(64), permitsFor: () => undefined };
    const runFirst = collect(runBatch(first.calls, options));
    await clock.advance(200);
    const runSecond = collect(runBatch(second.calls, options));
    const single: string[] = [];
    afterDeadline(clock, 1_000, () => single.push(`single@${clock.now()}`));
    await settleTurns();
    expect(clock.pending).toBe(1);
    await clock.advance(800);
    const firstSettled = await runFirst;
    expect(firstSettled.map((s) => (s.error as Error).message)).toEqual(Array(3).fill("The call timed out after 1 s"));
    expect(second.signals.some((s) => s.aborted)).toBe(false);
    second.finish[0]!("done");
    await settleTurns();
    await clock.advance(200);
    const secondSettled = (await runSecond).sort((a, b) => a.index - b.index);
    expect(secondSettled.map((s) => s.value ?? (s.error as Error).message)).toEqual([
      "done",
      "The call timed out after 1 s",
      "The call timed out after 1 s",
    ]);
    expect(second.signals[0]!.aborted).toBe(false);
    expect(single).toEqual(["single@1200"]);
    expect(clock.pending).toBe(0);
  });

  test("A batch's calls without a timeout set no timer", async () => {
    const clock = new FakeClock();
    const { calls, finish } = handCalls(10, () => Number.POSITIVE_INFINITY);
    const run = collect(runBatch(calls, { clock, global: new Semaphore(64), permitsFor: () => undefined }));
    await settleTurns();
    expect(clock.pending).toBe(0);
    for (const done of finish) done("done");
    expect((await run).length).toBe(10);
  });

  test("An abandoned batch's calls end cancelled, not timed out, and its timers fire once more at most", async () => {
    const clock = new FakeClock();
    const { calls, finish, signals } = handCalls(50, (i) => (i % 2 === 0 ? 60_000 : 5_000));
    const batch = runBatch(calls, { clock, global: new Semaphore(64), permitsFor: () => undefined });
    const first = batch.next();
    await settleTurns();
    expect(clock.pending).toBe(2);
    finish[7]!("done");
    expect((await first).value?.index).toBe(7);
    await batch.return(undefined);
    const reasons = signals.filter((s, i) => i !== 7 && s.aborted).map((s) => (s.reason as Error).message);
    expect(reasons).toEqual(Array(49).fill("The batch was abandoned"));
    await clock.advance(120_000);
    expect(signals.filter((s) => s.reason instanceof TimeoutError).length).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test("A deadline taken out never fires, taking it out twice is harmless, and its length's timer is not set again", async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const stopA = afterDeadline(clock, 10, () => fired.push("a"));
    afterDeadline(clock, 10, () => fired.push("b"));
    expect(clock.pending).toBe(1);
    stopA();
    stopA();
    await clock.advance(10);
    expect(fired).toEqual(["b"]);
    expect(clock.pending).toBe(0);
    const stopC = afterDeadline(clock, 20, () => fired.push("c"));
    expect(clock.pending).toBe(1);
    stopC();
    await clock.advance(100);
    expect(fired).toEqual(["b"]);
    expect(clock.pending).toBe(0);
  });
});
