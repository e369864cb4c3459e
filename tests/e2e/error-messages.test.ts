// Issue 9 item 25 end to end: what `hangar call` and `hangar serve` print when things go wrong reads right.
import { describe, expect, test } from "bun:test";
import { lines, runHangar, sandbox } from "../helpers/e2e.ts";
import { fixture } from "../helpers/paths.ts";
import { serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

describe("Error messages end to end", () => {
  test(
    "hangar call: a malformed tool result is a protocol_error naming the field, and one call is '1 call'",
    async () => {
      using box = sandbox();
      box.write(
        "hangar.yaml",
        `providers:\n  - ${JSON.stringify({ id: "m", command: fixture("malformed-server.ts") })}\n`,
      );
      const run = await runHangar(["call", "-"], box.options({}, '[{"provider":"m","tool":"bad_text"}]'));
      expect(run.code).toBe(1);
      const out = lines(run.stdout);
      expect(out[0]).toContain(
        'protocol_error: Provider "m" sent a malformed tool result: content.0.text: expected string, received number',
      );
      expect(run.stdout).not.toContain("invalid_union");
      expect(out.at(-1)).toStartWith("1 call, 0 succeeded, 1 failed in ");
    },
    TIMEOUT_MS,
  );

  test(
    "hangar serve: an MCP error reaches the client with one 'MCP error' prefix, not two",
    async () => {
      using box = sandbox();
      await using session = await serve(box);
      const error = await session.client.callTool({ name: "nope" }).catch((e: unknown) => e as Error);
      expect((error as Error).message).toBe('MCP error -32602: Unknown tool "nope".');
      // A provider's own error, forwarded (the demo provider serves no resources).
      const forwarded = await session.client.readResource({ uri: "hangar://demo/nope" }).catch((e: unknown) => e);
      expect((forwarded as Error).message).toBe("MCP error -32601: Method not found");
    },
    TIMEOUT_MS,
  );
});
