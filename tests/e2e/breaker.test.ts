// Issue 9 item 6 end to end: a caller cannot open the circuit breaker that every client shares, with
// hostile arguments (`hangar call`) or with its own short deadlines (`hangar serve`).
import { describe, expect, test } from "bun:test";
import { lines, runHangar, sandbox } from "../helpers/e2e.ts";
import { hangarCall, serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

describe("A caller cannot open the shared circuit breaker", () => {
  test(
    "hangar call: arguments nested 100,000 deep (600 KB) fail with invalid_arguments, and the provider keeps serving",
    async () => {
      using box = sandbox();
      const deep = `${"[".repeat(100_000)}1${"]".repeat(100_000)}`;
      const call = (message: string) =>
        `{"provider":"demo","tool":"echo","arguments":{"message":"${message}","x":${deep}}}`;
      const file = box.write(
        "deep.json",
        `[${call("a")},${call("b")},${call("c")},{"provider":"demo","tool":"echo","arguments":{"message":"fine"}}]`,
      );
      const run = await runHangar(["call", "--json", file], box.options());
      expect(run.code).toBe(1);
      const batch = JSON.parse(run.stdout) as { results: { ok: boolean; error?: { type: string; message: string } }[] };
      expect(batch.results.map((r) => r.error?.type)).toEqual([
        "invalid_arguments",
        "invalid_arguments",
        "invalid_arguments",
        undefined,
      ]);
      expect(batch.results[0]!.error!.message).toBe(
        'Invalid arguments for "demo" tool "echo": arguments are nested more than 128 levels deep (the limit is 128)',
      );
      expect(run.stderr).not.toContain("circuit opened");
      expect(run.stderr).not.toContain("Maximum call stack");
      expect(lines(run.stderr)).toHaveLength(1); // the demo-config notice only
    },
    TIMEOUT_MS,
  );

  test(
    "hangar serve: three calls with timeout_s 0.2 to a 300 ms tool time out, and the next call still succeeds",
    async () => {
      using box = sandbox();
      await using session = await serve(box);
      for (let i = 0; i < 3; i++) {
        const { batch } = await hangarCall(session, [
          { provider: "demo", tool: "sleep", arguments: { ms: 300 }, timeout_s: 0.2 },
        ]);
        expect(batch.results[0]!.error!.type).toBe("timeout");
      }
      const { batch } = await hangarCall(session, [
        { provider: "demo", tool: "echo", arguments: { message: "still here" } },
      ]);
      expect(batch.results[0]).toMatchObject({ ok: true });
      expect(session.stderr()).not.toContain("circuit opened");
    },
    TIMEOUT_MS,
  );
});
