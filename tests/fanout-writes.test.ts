// Issue 11, `hangar_call` fan-out: how a batch's requests leave for its providers.
import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import type { ProcessTransport } from "../src/providers/stdio-transport.ts";
import { fakeChildTransport } from "./helpers/fake-child.ts";

/** A transport over a fake child whose stdin records each write, with the write's order among all. */
async function recordedTransport(id: string, log: string[]): Promise<ProcessTransport> {
  const stdin = new Writable({
    write(chunk, _encoding, done) {
      log.push(`${id}:${chunk.toString().trim().split("\n").length}`);
      done();
    },
  });
  const transport = fakeChildTransport(stdin, { id });
  await transport.start();
  return transport;
}

describe("Issue 11: a batch's requests to several providers", () => {
  test("Requests to five providers sent in one turn are written in one check-phase callback, one write each", async () => {
    const log: string[] = [];
    const transports = await Promise.all(["p0", "p1", "p2", "p3", "p4"].map((id) => recordedTransport(id, log)));
    const original = globalThis.setImmediate;
    let immediates = 0;
    globalThis.setImmediate = ((callback: (...args: unknown[]) => void, ...args: unknown[]) => {
      immediates++;
      return original(callback, ...args);
    }) as typeof setImmediate;
    try {
      // 50 calls over 5 providers, each reaching its send after its own chain of promise jobs.
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          for (let hop = 0; hop < i % 7; hop++) await Promise.resolve();
          await transports[i % 5]!.send({ jsonrpc: "2.0", id: i, method: "tools/call", params: { name: "sleep" } });
        }),
      );
    } finally {
      globalThis.setImmediate = original;
    }
    expect(immediates).toBe(1);
    expect(log.sort()).toEqual(["p0:10", "p1:10", "p2:10", "p3:10", "p4:10"]);
  });
});
