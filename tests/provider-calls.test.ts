// Which session's request a provider's traffic belongs to over HTTP (issue 9 item 11), without a process.
import { describe, expect, test } from "bun:test";
import { ProviderCalls } from "../src/serve/http/index.ts";

describe("ProviderCalls", () => {
  test("a provider's traffic belongs to the most recent request running on it, never to one on another provider", () => {
    const calls = new ProviderCalls<string>();
    const leaveAlice = calls.enter("a", "alice", 1);
    calls.enter("b", "bob", 7);
    expect(calls.latest("a")).toMatchObject({ session: "alice", requestId: 1 });
    const leaveCarol = calls.enter("a", "carol", 3);
    expect(calls.latest("a")).toMatchObject({ session: "carol", requestId: 3 });
    leaveCarol();
    expect(calls.latest("a")).toMatchObject({ session: "alice", requestId: 1 });
    leaveAlice();
    expect(calls.latest("a")).toBeUndefined();
    expect(calls.latest("b")).toMatchObject({ session: "bob", requestId: 7 });
  });

  test("leaving twice is harmless, and one session's two requests are told apart", () => {
    const calls = new ProviderCalls<string>();
    const first = calls.enter("a", "alice", 1);
    first();
    const second = calls.enter("a", "alice", 2);
    first();
    expect(calls.latest("a")).toMatchObject({ session: "alice", requestId: 2 });
    second();
    expect(calls.latest("a")).toBeUndefined();
  });
});
