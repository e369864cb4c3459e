import { describe, expect, test } from "bun:test";
import { CallError, TimeoutError } from "../src/errors.ts";
import { afterDeadline } from "../src/scheduler/deadline-timers.ts";
import {
  AbortGroup,
  type BatchCall,
  linkSignals,
  runBatch,
  runOne,
  Semaphore,
  type Settled,
} from "../src/scheduler/index.ts";
import { FakeClock } from "./helpers/fake-clock.ts";

/** A call whose work the test finishes by hand, recording how many run at once. */
function manual(key: string | undefined, timeoutMs = Number.POSITIVE_INFINITY) {
  const state = { running: 0, peak: 0, started: 0, finish: [] as (() => void)[], aborted: 0 };
  const call = (): BatchCall<string> => ({
    key,
    timeoutMs,
    run: (signal) =>
      new Promise<string>((resolve) => {
        state.running++;
        state.started++;
        state.peak = Math.max(state.peak, state.running);
        signal.addEventListener("abort", () => state.aborted++);
        state.finish.push(() => {
          state.running--;
          resolve("done");
        });
      }),
  });
  return { state, call };
}

async function collect<R>(iterator: AsyncIterable<Settled<R>>): Promise<Settled<R>[]> {
  const out: Settled<R>[] = [];
  for await (const s of iterator) out.push(s);
  return out;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("Semaphore", () => {
  test("Semaphore grants permits in FIFO order", async () => {
    const semaphore = new Semaphore(1);
    const order: number[] = [];
    const first = await semaphore.acquire();
    const waiting = [1, 2, 3].map((n) =>
      semaphore.acquire().then((release) => {
        order.push(n);
        return release;
      }),
    );
    first();
    for (const w of waiting) (await w)();
    expect(order).toEqual([1, 2, 3]);
    expect(semaphore.inUse).toBe(0);
  });

  test("A waiter whose signal aborts leaves the queue without taking a permit", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const gone = semaphore.acquire(controller.signal);
    const next = semaphore.acquire();
    controller.abort(new Error("gave up"));
    await expect(gone).rejects.toThrow("gave up");
    expect(semaphore.queued).toBe(1);
    held();
    (await next)();
    expect(semaphore.inUse).toBe(0);
  });

  test("tryAcquire takes a free permit at once, and none while the permits are taken or someone waits", async () => {
    const semaphore = new Semaphore(1);
    const release = semaphore.tryAcquire();
    expect(release).toBeFunction();
    expect(semaphore.tryAcquire()).toBeUndefined();
    const waiting = semaphore.acquire();
    release!();
    // The permit went to the one in line: tryAcquire never jumps the queue.
    expect(semaphore.tryAcquire()).toBeUndefined();
    (await waiting)();
    expect(semaphore.inUse).toBe(0);
    semaphore.tryAcquire()!();
    expect(semaphore.inUse).toBe(0);
  });

  test("A full queue refuses new waiters with overloaded", async () => {
    const semaphore = new Semaphore(1, 1, 'provider "x"');
    await semaphore.acquire();
    void semaphore.acquire();
    const refused = await semaphore.acquire().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CallError);
    expect((refused as CallError).type).toBe("overloaded");
  });
});

describe("runBatch", () => {
  test("Scheduler never runs more than max_concurrency calls of one provider", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p");
    const perKey = new Semaphore(3);
    const run = collect(
      runBatch(Array.from({ length: 10 }, call), { clock, global: new Semaphore(64), permitsFor: () => perKey }),
    );
    await tick();
    expect(state.running).toBe(3);
    while (state.started < 10 || state.running > 0) {
      state.finish.shift()?.();
      await tick();
    }
    expect((await run).length).toBe(10);
    expect(state.peak).toBe(3);
  });

  test("The global limit holds across providers", async () => {
    const clock = new FakeClock();
    const a = manual("a");
    const b = manual("b");
    const perKey = new Map([
      ["a", new Semaphore(8)],
      ["b", new Semaphore(8)],
    ]);
    const calls = [...Array.from({ length: 5 }, a.call), ...Array.from({ length: 5 }, b.call)];
    const run = collect(runBatch(calls, { clock, global: new Semaphore(4), permitsFor: (k) => perKey.get(k) }));
    await tick();
    expect(a.state.running + b.state.running).toBe(4);
    while (a.state.finish.length + b.state.finish.length > 0 || a.state.started + b.state.started < 10) {
      (a.state.finish.shift() ?? b.state.finish.shift())?.();
      await tick();
    }
    expect((await run).length).toBe(10);
  });

  test("A call's deadline counts its wait for a permit and aborts its work", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p", 1_000);
    const perKey = new Semaphore(1);
    const run = collect(runBatch([call(), call()], { clock, global: new Semaphore(64), permitsFor: () => perKey }));
    await tick();
    expect(state.running).toBe(1);
    await clock.advance(1_000);
    const settled = await run;
    expect(settled.map((s) => s.error)).toEqual([expect.any(TimeoutError), expect.any(TimeoutError)]);
    expect(state.aborted).toBe(1);
    expect(state.started).toBe(1);
  });

  test("fail_fast cancels the rest when one call fails", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p");
    const failing: BatchCall<string> = { key: "p", timeoutMs: Number.POSITIVE_INFINITY, run: async () => "bad" };
    const settled = await collect(
      runBatch([call(), call(), failing], {
        clock,
        global: new Semaphore(64),
        permitsFor: () => undefined,
        failFast: true,
        isFailure: (v) => v === "bad",
      }),
    );
    expect(settled[0]!.value).toBe("bad");
    expect(settled.slice(1).map((s) => (s.error as CallError).type)).toEqual(["cancelled", "cancelled"]);
    expect(state.aborted).toBe(2);
  });

  test("Calls without a key fail at once without taking permits", async () => {
    const clock = new FakeClock();
    const global = new Semaphore(1);
    const held = await global.acquire();
    const failing: BatchCall<string> = {
      key: undefined,
      timeoutMs: 10,
      run: () => Promise.reject(new Error("unknown")),
    };
    const settled = await collect(runBatch([failing], { clock, global, permitsFor: () => undefined }));
    expect((settled[0]!.error as Error).message).toBe("unknown");
    held();
  });

  test("Leaving the loop early cancels what is still running", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p");
    const quick: BatchCall<string> = { key: "p", timeoutMs: Number.POSITIVE_INFINITY, run: async () => "quick" };
    for await (const settled of runBatch([call(), call(), quick], {
      clock,
      global: new Semaphore(64),
      permitsFor: () => undefined,
    })) {
      expect(settled.value).toBe("quick");
      break;
    }
    expect(state.aborted).toBe(2);
  });
});

describe("runBatch: a batch's own limit and retries (issue 9 item 10)", () => {
  test("A batch's max_concurrency is taken before provider and global permits, so its waiting calls hold none", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p");
    const perKey = new Semaphore(4);
    const global = new Semaphore(2);
    const run = collect(
      runBatch(Array.from({ length: 4 }, call), { clock, global, permitsFor: () => perKey, maxConcurrency: 1 }),
    );
    await tick();
    expect(state.running).toBe(1);
    expect(perKey.inUse).toBe(1);
    expect(global.inUse).toBe(1);

    // A call of another batch, on another provider, gets the free global permit at once.
    const other = manual("q");
    const unrelated = collect(runBatch([other.call()], { clock, global, permitsFor: () => undefined }));
    await tick();
    expect(other.state.running).toBe(1);
    other.state.finish.shift()!();
    expect((await unrelated)[0]!.value).toBe("done");

    while (state.started < 4 || state.running > 0) {
      state.finish.shift()?.();
      await tick();
    }
    expect((await run).length).toBe(4);
    expect(state.peak).toBe(1);
    expect(perKey.inUse + global.inUse).toBe(0);
  });

  test("A call waiting to retry holds no permit, and its retry takes its turn again", async () => {
    const clock = new FakeClock();
    const perKey = new Semaphore(1);
    const global = new Semaphore(1);
    let runs = 0;
    const flaky: BatchCall<string> = {
      key: "p",
      timeoutMs: Number.POSITIVE_INFINITY,
      run: async () => {
        runs++;
        if (runs === 1) throw new Error("the connection broke");
        return "second time";
      },
      retryDelayMs: () => 500,
    };
    const { state, call } = manual("p");
    const run = collect(runBatch([flaky, call()], { clock, global, permitsFor: () => perKey }));
    await tick();
    // The first attempt failed; while it backs off, the other call of its provider runs.
    expect(runs).toBe(1);
    expect(state.running).toBe(1);
    await clock.advance(500);
    await tick();
    expect(runs).toBe(1); // its retry waits in line behind the running call
    state.finish.shift()!();
    const settled = await run;
    expect(settled.map((s) => s.value)).toEqual(["done", "second time"]);
    expect(runs).toBe(2);
    expect(perKey.inUse + global.inUse).toBe(0);
  });

  test("A retry's backoff ends at the call's deadline", async () => {
    const clock = new FakeClock();
    let runs = 0;
    const failing: BatchCall<string> = {
      key: "p",
      timeoutMs: 300,
      run: async () => {
        runs++;
        throw new Error("the connection broke");
      },
      retryDelayMs: () => 500,
    };
    const run = collect(runBatch([failing], { clock, global: new Semaphore(1), permitsFor: () => undefined }));
    await tick();
    await clock.advance(300);
    const [settled] = await run;
    expect(settled!.error).toBeInstanceOf(TimeoutError);
    expect(runs).toBe(1);
    expect(clock.pending).toBe(0);
  });
});

describe("runOne", () => {
  test("A single call takes its provider's permit, and its deadline counts the wait for it", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p", 1_000);
    const perKey = new Semaphore(1);
    const global = new Semaphore(64);
    const options = { clock, global, permitsFor: () => perKey };
    const first = runOne(call(), options);
    const second = runOne(call(), options);
    await tick();
    expect(state.running).toBe(1);
    expect(perKey.queued).toBe(1);
    await clock.advance(1_000);
    const settled = await Promise.all([first, second]);
    expect(settled.map((s) => s.error)).toEqual([expect.any(TimeoutError), expect.any(TimeoutError)]);
    expect(state.aborted).toBe(1);
    expect(state.started).toBe(1);
    expect(perKey.inUse + global.inUse + perKey.queued).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test("A single call whose signal aborted before it ran fails with the reason and holds no permit", async () => {
    const clock = new FakeClock();
    const perKey = new Semaphore(1);
    const global = new Semaphore(1);
    const { state, call } = manual("p");
    const controller = new AbortController();
    controller.abort(new Error("gone before"));
    const settled = await runOne(call(), { clock, global, permitsFor: () => perKey, signals: [controller.signal] });
    expect((settled.error as Error).message).toBe("gone before");
    expect(state.started).toBe(0);
    expect(perKey.inUse + global.inUse).toBe(0);
  });

  test("A single call waiting to retry holds no permit, and settles with the retry's answer", async () => {
    const clock = new FakeClock();
    const perKey = new Semaphore(1);
    const global = new Semaphore(1);
    let runs = 0;
    const flaky: BatchCall<string> = {
      key: "p",
      timeoutMs: Number.POSITIVE_INFINITY,
      run: async () => {
        runs++;
        if (runs === 1) throw new Error("the connection broke");
        return "second time";
      },
      retryDelayMs: () => 500,
    };
    const run = runOne(flaky, { clock, global, permitsFor: () => perKey });
    await tick();
    expect(runs).toBe(1);
    expect(perKey.inUse + global.inUse).toBe(0);
    await clock.advance(500);
    const settled = await run;
    expect(settled).toMatchObject({ index: 0, value: "second time" });
    expect(runs).toBe(2);
    expect(perKey.inUse + global.inUse).toBe(0);
  });

  test("A single call ends with its caller's reason when the caller cancels, its work aborted", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p", 60_000);
    const caller = new AbortController();
    const global = new Semaphore(4);
    const run = runOne(call(), { clock, global, permitsFor: () => undefined, signals: [caller.signal] });
    await tick();
    expect(state.running).toBe(1);
    caller.abort(new CallError("cancelled", "the client went away"));
    const settled = await run;
    expect((settled.error as CallError).message).toBe("the client went away");
    expect(state.aborted).toBe(1);
    expect(global.inUse).toBe(0);
    // The deadline is dropped; its length's timer fires once, for nothing, and is not set again.
    await clock.advance(60_000);
    expect(state.aborted).toBe(1);
    expect(clock.pending).toBe(0);
  });

  test("Single calls of one group all end with its reason when it aborts; one started after ends at once", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p");
    const group = new AbortGroup();
    const global = new Semaphore(4);
    const runs = [1, 2, 3].map(() => runOne(call(), { clock, global, permitsFor: () => undefined, group }));
    await tick();
    expect(state.running).toBe(3);
    state.finish.shift()!();
    expect((await runs[0])!.value).toBe("done");
    group.abort(new CallError("cancelled", "Hangar is shutting down"));
    const ended = await Promise.all(runs.slice(1));
    expect(ended.map((s) => (s.error as CallError).message)).toEqual([
      "Hangar is shutting down",
      "Hangar is shutting down",
    ]);
    expect(state.aborted).toBe(2);
    // A call that starts after the group aborted ends at once, without running.
    const late = await runOne(call(), { clock, global, permitsFor: () => undefined, group });
    expect((late.error as CallError).message).toBe("Hangar is shutting down");
    expect(state.started).toBe(3);
  });

  test("A single call given its caller's cancellation as a group ends with its reason, its work aborted and its deadline dropped", async () => {
    const clock = new FakeClock();
    const { state, call } = manual("p", 60_000);
    const cancel = new AbortGroup();
    const shutdown = new AbortGroup();
    const global = new Semaphore(4);
    const run = runOne(call(), { clock, global, permitsFor: () => undefined, group: shutdown, cancel });
    await tick();
    expect(state.running).toBe(1);
    cancel.abort(new CallError("cancelled", "the client went away"));
    const settled = await run;
    expect((settled.error as CallError).message).toBe("the client went away");
    expect(state.aborted).toBe(1);
    expect(global.inUse).toBe(0);
    await clock.advance(60_000);
    expect(state.aborted).toBe(1);
    expect(clock.pending).toBe(0);
    // A cancellation without a reason ends the call with the AbortError an AbortController would give.
    const quiet = new AbortGroup();
    const second = runOne(call(), { clock, global, permitsFor: () => undefined, cancel: quiet });
    await tick();
    quiet.abort(undefined);
    expect(((await second).error as Error).name).toBe("AbortError");
  });

  test("A single call without a key fails at once without taking permits", async () => {
    const clock = new FakeClock();
    const global = new Semaphore(1);
    const failing: BatchCall<string> = {
      key: undefined,
      timeoutMs: Number.POSITIVE_INFINITY,
      run: () => Promise.reject(new CallError("unknown_provider", "no such provider")),
    };
    const settled = await runOne(failing, { clock, global, permitsFor: () => undefined });
    expect((settled.error as CallError).type).toBe("unknown_provider");
    expect(global.inUse).toBe(0);
  });
});

describe("AbortGroup", () => {
  test("An abort reaches the members still in the group, once each, in any order of leaving", () => {
    const group = new AbortGroup();
    const told: string[] = [];
    const leave = ["a", "b", "c", "d"].map((name) => group.add((reason) => told.push(`${name}:${String(reason)}`)));
    leave[0]!(); // the newest-but-three (the list's tail)
    leave[2]!(); // one in the middle
    leave[2]!(); // leaving twice changes nothing
    group.abort("stop");
    group.abort("again");
    expect(told.sort()).toEqual(["b:stop", "d:stop"]);
    expect(group.aborted).toBe(true);
    expect(group.reason).toBe("stop");
    leave[1]!(); // leaving after the abort is harmless
  });
  test("A group's signal is made at the first read and aborts with the group, an undefined reason as an AbortError", () => {
    const group = new AbortGroup();
    const signal = group.signal;
    expect(group.signal).toBe(signal);
    group.abort(undefined);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).toBe("AbortError");
    const late = new AbortGroup();
    late.abort("gone");
    expect(late.signal.reason).toBe("gone");
  });
});

describe("linkSignals", () => {
  test("A linked signal aborts with the first source's reason", () => {
    const a = new AbortController();
    const b = new AbortController();
    const link = linkSignals([a.signal, undefined, b.signal]);
    b.abort(new Error("b went first"));
    a.abort(new Error("a"));
    expect((link.signal.reason as Error).message).toBe("b went first");
  });

  test("Once disposed, a linked signal no longer follows its sources (nothing stays attached to them)", () => {
    const lifelong = new AbortController();
    let listeners = 0;
    const add = lifelong.signal.addEventListener.bind(lifelong.signal);
    const remove = lifelong.signal.removeEventListener.bind(lifelong.signal);
    lifelong.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      listeners++;
      add(...args);
    }) as typeof add;
    lifelong.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      listeners--;
      remove(...args);
    }) as typeof remove;
    for (let i = 0; i < 1000; i++) linkSignals([lifelong.signal]).dispose();
    expect(listeners).toBe(0);
    const kept = linkSignals([lifelong.signal]);
    kept.dispose();
    lifelong.abort();
    expect(kept.signal.aborted).toBe(false);
  });

  test("A source that is already aborted aborts the link at once", () => {
    const done = new AbortController();
    done.abort(new Error("earlier"));
    expect((linkSignals([done.signal]).signal.reason as Error).message).toBe("earlier");
  });
});

describe("Deadline timers", () => {
  test("Deadlines of one length share one clock timer and each fires at its own time; once all are gone it fires once more at most", async () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    const stopA = afterDeadline(clock, 1_000, at("a"));
    await clock.advance(100);
    const stopB = afterDeadline(clock, 1_000, at("b"));
    await clock.advance(100);
    afterDeadline(clock, 1_000, at("c"));
    afterDeadline(clock, 500, at("short"));
    expect(clock.pending).toBe(2); // one per length
    stopA(); // the first one goes: the timer set for it fires early and is set again
    await clock.advance(2_000);
    expect(fired).toEqual(["short@700", "b@1100", "c@1200"]);
    expect(clock.pending).toBe(0);
    stopB(); // after it fired: nothing happens
    const stopD = afterDeadline(clock, 1_000, at("d"));
    stopD(); // the timer set for it stays, fires for nothing, and is not set again
    expect(clock.pending).toBe(1);
    const stopE = afterDeadline(clock, 1_000, at("e")); // it shares that timer
    expect(clock.pending).toBe(1);
    stopE();
    await clock.advance(5_000);
    expect(fired.length).toBe(3);
    expect(clock.pending).toBe(0);
  });

  test("A call's deadline fires on time with many calls in flight, each ending with its own timeout", async () => {
    const clock = new FakeClock();
    const global = new Semaphore(64);
    const { state, call } = manual("p", 1_000);
    const runs = Array.from({ length: 10 }, () => runOne(call(), { clock, global, permitsFor: () => undefined }));
    await tick();
    expect(state.running).toBe(10);
    state.finish.shift()!();
    await clock.advance(999);
    expect(state.aborted).toBe(0);
    await clock.advance(1);
    const settled = await Promise.all(runs);
    expect(settled.filter((s) => s.error instanceof TimeoutError).length).toBe(9);
    expect(state.aborted).toBe(9);
    expect(clock.pending).toBe(0);
  });
});
