// The batch result: how each call's result is built, what the batch's elapsed_ms measures, and the one
// schema its type and hangar_call's outputSchema come from (issue 16).
import { afterEach, describe, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Gateway } from "../src/gateway/index.ts";
import { configOf, demoProvider } from "./helpers/providers.ts";

const open: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});
function gateway(...args: ConstructorParameters<typeof Gateway>): Gateway {
  const g = new Gateway(...args);
  open.push(() => g.close());
  return g;
}

/** The fields of a call's result in the order docs/contract.md gives them. */
const CONTRACT_ORDER = ["index", "id", "provider", "tool", "ok", "result", "error", "elapsed_ms", "attempts"];

describe("A call's result (issue 16 item 2)", () => {
  test("is built once, its fields in the contract's order, whether the call succeeded, the tool reported an error or the call failed", async () => {
    const g = gateway(configOf([demoProvider("demo")]));
    const batch = await g.run({
      calls: [
        { provider: "demo", tool: "echo", arguments: { message: "hi" }, id: "fine" },
        { provider: "demo", tool: "fail", arguments: { message: "no" } },
        { provider: "nowhere", tool: "echo", id: "lost" },
      ],
    });
    const [fine, toolError, lost] = batch.results;
    expect(Object.keys(fine!)).toEqual(CONTRACT_ORDER.filter((key) => key !== "error"));
    expect(Object.keys(toolError!)).toEqual(CONTRACT_ORDER.filter((key) => key !== "id"));
    expect(Object.keys(lost!)).toEqual(CONTRACT_ORDER.filter((key) => key !== "result"));
    expect(toolError).toMatchObject({ index: 1, ok: false, attempts: 1, error: { type: "tool_error", message: "no" } });
    expect(lost).toMatchObject({ index: 2, ok: false, attempts: 0, error: { type: "unknown_provider" } });
    // The provider's answer is typed as what it is: no cast to read it.
    const answer: CallToolResult | undefined = fine!.result;
    expect(answer?.content).toEqual([{ type: "text", text: "hi" }]);
  });
});
