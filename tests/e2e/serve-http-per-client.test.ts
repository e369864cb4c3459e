// Issue 12: `per_client: true` over `hangar serve --http` means one instance per session, through the same
// front factory as the shared daemon's clients; the compiled binary, SDK clients, the shared-server fixture.
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ListRootsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { isAlive, waitFor } from "../helpers/processes.ts";
import { textOf } from "../helpers/serve.ts";

describe("hangar serve --http with a per_client provider", () => {
  test("each session gets its own instance with its own roots, the other providers stay shared, and an ended session's instance stops", async () => {
    using box = sandbox();
    const eventLog = join(box.root, "events.log");
    const provider = (name: string, perClient: boolean) =>
      `  - id: ${name}\n    command: ${JSON.stringify(fixture("shared-server.ts"))}\n    env: { NAME: ${name} }\n` +
      (perClient ? "    per_client: true\n" : "");
    box.write("hangar.yaml", `providers:\n${provider("common", false)}${provider("mine", true)}`);
    const starts = (name: string) =>
      (existsSync(eventLog) ? readFileSync(eventLog, "utf8") : "")
        .split("\n")
        .filter((line) => line.startsWith(`start ${name} `))
        .map((line) => Number(line.split(" ")[2]));
    await using hangar = await startHttpHangar(box, [], { EVENT_LOG: eventLog });

    const session = async (i: number) => {
      const opened = await hangar.connect({ capabilities: { roots: {} } });
      opened.client.setRequestHandler(ListRootsRequestSchema, async () => ({
        roots: [{ uri: `file:///session${i}` }],
      }));
      const call = async (name: string, args: Record<string, unknown> = {}) =>
        textOf(await opened.client.callTool({ name, arguments: args }));
      return { ...opened, call };
    };
    const a = await session(0);
    expect(await a.call("mine__work", { tag: "a" })).toBe("mine:a");
    const b = await session(1);
    expect(await b.call("mine__work", { tag: "b" })).toBe("mine:b");
    expect(await a.call("common__work", { tag: "a" })).toBe("common:a");
    expect(await b.call("common__work", { tag: "b" })).toBe("common:b");
    expect(await a.call("mine__roots")).toBe("file:///session0");
    expect(await b.call("mine__roots")).toBe("file:///session1");
    // The sessions' instances, and the shared provider's one; the first `mine` is session a's.
    expect(starts("common")).toHaveLength(1);
    const mine = starts("mine");
    expect(mine).toHaveLength(2);

    await a.transport.terminateSession();
    await waitFor(() => !isAlive(mine[0]!), 10_000, "the ended session's own instance to stop");
    expect(isAlive(mine[1]!)).toBe(true);
    expect(isAlive(starts("common")[0]!)).toBe(true);
    expect(await b.call("mine__work", { tag: "still" })).toBe("mine:still");
  }, 60_000);
});
