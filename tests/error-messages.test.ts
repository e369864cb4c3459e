// Issue 9 item 25: error messages say what went wrong once and plainly: a malformed tool result is a
// provider protocol_error naming the field, an upstream error keeps one "MCP error" prefix at most.
import { afterEach, describe, expect, test } from "bun:test";
import { withoutMcpPrefix } from "../src/errors.ts";
import { classifyError } from "../src/gateway/classify.ts";
import { Gateway } from "../src/gateway/index.ts";
import { fixture } from "./helpers/paths.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Gateway[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});

function malformed(maxConsecutiveFailures = 3): Gateway {
  const gateway = new Gateway(
    configOf([stdioProvider("m", fixture("malformed-server.ts"), { maxConsecutiveFailures })]),
  );
  open.push(gateway);
  return gateway;
}

describe("Error messages", () => {
  test("A malformed tool result is a protocol_error that names the field, without a zod dump", async () => {
    const batch = await malformed().run({
      calls: [
        { provider: "m", tool: "bad_text" },
        { provider: "m", tool: "bad_content" },
        { provider: "m", tool: "ok" },
      ],
    });
    expect(batch.results.map((r) => r.error)).toEqual([
      {
        type: "protocol_error",
        message: 'Provider "m" sent a malformed tool result: content.0.text: expected string, received number',
        retryable: false,
      },
      {
        type: "protocol_error",
        message: 'Provider "m" sent a malformed tool result: content: expected array, received string',
        retryable: false,
      },
      undefined,
    ]);
  });

  test("Malformed results are the provider's failure: they count toward its breaker", async () => {
    const gateway = malformed(2);
    await gateway.run({ calls: [{ provider: "m", tool: "bad_text" }] });
    await gateway.run({ calls: [{ provider: "m", tool: "bad_text" }] });
    expect(gateway.handles.get("m")!.breaker.state).toBe("open");
  });

  test("An upstream error that already carries the SDK's prefix is reported without it", async () => {
    const batch = await malformed().run({ calls: [{ provider: "m", tool: "reject" }] });
    expect(batch.results[0]!.error).toEqual({
      type: "invalid_arguments",
      message: 'Provider "m" rejected the arguments: the id must be positive',
      retryable: false,
    });
    expect(withoutMcpPrefix("MCP error -32602: MCP error -32602: bad id")).toBe("bad id");
    expect(withoutMcpPrefix("MCP error 5: x")).toBe("x");
    expect(withoutMcpPrefix("no prefix: MCP error -1: kept")).toBe("no prefix: MCP error -1: kept");
  });

  test("Hangar's own RangeError (a stack overflow) is internal, not the provider's transport_error", () => {
    expect(classifyError(new RangeError("Maximum call stack size exceeded."), "p")).toEqual({
      type: "internal",
      message: "Hangar could not make the call: Maximum call stack size exceeded.",
      retryable: false,
    });
  });
});
