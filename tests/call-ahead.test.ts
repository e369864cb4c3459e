// Issue 11: a call to a provider that is starting, whose catalog is cached and whose cached tool accepts
// the arguments, is sent as soon as the provider is connected, before its catalog is read afresh; any
// other call (the tool not cached, the arguments refused by the cached schema, pinning `block`, no
// cache) waits for the fresh list as before. tests/fixtures/order-server.ts logs the order it is asked in.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Tool } from "@modelcontextprotocol/client";
import type { ResolvedProvider } from "../src/config/types.ts";
import { Gateway, type GatewayDeps } from "../src/gateway/index.ts";
import type { Pins } from "../src/pinning/index.ts";
import { EMPTY_CATALOG } from "../src/pool/index.ts";
import { fixture } from "./helpers/paths.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const TIMEOUT_MS = 20_000;
const ECHO: Tool = {
  name: "echo",
  inputSchema: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
};

/** Runs one call of `echo` with `args` through a gateway given `deps`; returns its result and the provider's log. */
async function callOnce(args: Record<string, unknown>, deps: GatewayDeps) {
  const dir = mkdtempSync(join(tmpdir(), "hangar-ahead-"));
  try {
    const log = join(dir, "order.log");
    const base = stdioProvider("order", fixture("order-server.ts"));
    const provider = { ...base, transport: { ...base.transport, env: { ORDER_LOG: log } } } as ResolvedProvider;
    const gateway = new Gateway(configOf([provider]), deps);
    try {
      const result = await gateway.callOne({ provider: "order", tool: "echo", arguments: args });
      return { result, order: readFileSync(log, "utf8").split("\n").filter(Boolean) };
    } finally {
      await gateway.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cached = (tools: Tool[]) => ({ read: () => ({ ...EMPTY_CATALOG, tools }) });
/** Pins in `block` mode that withhold nothing. */
const blocking = {
  mode: "block",
  refusal: () => undefined,
  review: (_id: string, listed: unknown) => listed,
  onRevised: () => () => {},
  close: () => {},
} as unknown as Pins;

describe("a call sent ahead of the starting provider's list (issue 11)", () => {
  test(
    "with the tool cached and the arguments accepted, tools/call reaches the provider before tools/list",
    async () => {
      const { result, order } = await callOnce({ message: "hi" }, { catalogs: cached([ECHO]) });
      expect(result).toMatchObject({ ok: true, result: { content: [{ type: "text", text: "hi" }] } });
      expect(order).toEqual(["tools/call", "tools/list"]);
    },
    TIMEOUT_MS,
  );

  test(
    "with the arguments refused by the cached schema, the fresh list decides first",
    async () => {
      const strict: Tool = {
        ...ECHO,
        inputSchema: { ...ECHO.inputSchema, properties: { message: { type: "number" } } },
      };
      const { result, order } = await callOnce({ message: "hi" }, { catalogs: cached([strict]) });
      expect(result).toMatchObject({ ok: true });
      expect(order).toEqual(["tools/list", "tools/call"]);
    },
    TIMEOUT_MS,
  );

  test(
    "with the tool not cached, the fresh list decides first",
    async () => {
      const { result, order } = await callOnce({ message: "hi" }, { catalogs: cached([]) });
      expect(result).toMatchObject({ ok: true });
      expect(order).toEqual(["tools/list", "tools/call"]);
    },
    TIMEOUT_MS,
  );

  test(
    "arguments refused by the fresh list too fail as before, and are never sent",
    async () => {
      const { result, order } = await callOnce({ message: 1 }, { catalogs: cached([ECHO]) });
      expect(result).toMatchObject({ ok: false, error: { type: "invalid_arguments" } });
      expect(order).toEqual(["tools/list"]);
    },
    TIMEOUT_MS,
  );

  test(
    "with pinning block, or without a cache, the list comes first",
    async () => {
      const pinned = await callOnce({ message: "hi" }, { catalogs: cached([ECHO]), pins: blocking });
      expect(pinned.order).toEqual(["tools/list", "tools/call"]);
      const uncached = await callOnce({ message: "hi" }, {});
      expect(uncached.order).toEqual(["tools/list", "tools/call"]);
    },
    TIMEOUT_MS,
  );
});
