// Issue 11: a 2026-07-28 stdio provider's tools/list is read on the connection's raw channel, past the SDK
// client, whose first validated message builds its whole 2026 schema set. What the raw path takes must be
// what the SDK client gives, key for key; anything it does not take is read again through the SDK client.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gateway } from "../src/gateway/index.ts";
import { silentLogger } from "../src/observability/log.ts";
import { rawToolsListPage } from "../src/pool/raw-tools-list.ts";
import { readCatalog } from "../src/pool/read-catalog.ts";
import { type Connection, NO_SDK_TIMEOUT, systemSpawner } from "../src/providers/index.ts";
import { stdioDriver } from "../src/providers/stdio-driver.ts";
import { hangarBinary } from "./helpers/e2e.ts";
import { fixture } from "./helpers/paths.ts";
import { countingSpawner, isAlive, waitFor } from "./helpers/processes.ts";
import { configOf, stdioProvider } from "./helpers/providers.ts";

const open: Connection[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((connection) => connection.close()));
});

/** A connection to `argv` (a 2026-07-28 provider), probed as hangar does. */
async function connect(argv: readonly string[], env: Record<string, string> = {}): Promise<Connection> {
  const [command, ...args] = argv;
  const driver = stdioDriver("p", { command: command!, args, env, cwd: undefined, inherit_env: true } as never, {
    spawner: systemSpawner,
    logger: silentLogger,
  });
  const connection = await driver.connect(AbortSignal.timeout(20_000), { probeTimeoutMs: 5_000 });
  open.push(connection);
  return connection;
}

const sdkPage = (connection: Connection) =>
  connection.client.request({ method: "tools/list", params: {} }, { timeout: NO_SDK_TIMEOUT });

/** A page-server fixture answering tools/list with `result`, logging each request's method. */
async function pageServer(result: unknown): Promise<{ connection: Connection; methods: () => string[] }> {
  const log = join(mkdtempSync(join(tmpdir(), "hangar-page-")), "page.log");
  const connection = await connect(fixture("page-server.ts"), {
    PAGE_RESULT: typeof result === "string" ? result : JSON.stringify(result),
    PAGE_LOG: log,
  });
  return { connection, methods: () => readFileSync(log, "utf8").split("\n").filter(Boolean) };
}

const page = (tools: unknown[], extra: Record<string, unknown> = {}) => ({
  resultType: "complete",
  ttlMs: 0,
  cacheScope: "private",
  tools,
  ...extra,
});

/** Tools whose fields come in another order than the SDK writes them, with every field the raw path takes. */
const SHUFFLED = [
  {
    _meta: { "x/y": 1 },
    annotations: { openWorldHint: false, title: "Shown", readOnlyHint: true },
    outputSchema: { type: "object", properties: { n: { type: "number" } }, $schema: "x", required: ["n"] },
    inputSchema: { properties: { a: { type: "string" } }, required: ["a"], type: "object", $schema: "y", extra: 1 },
    description: "d",
    title: "T",
    name: "shuffled",
  },
  { name: "bare", inputSchema: { type: "object" } },
];

describe("A 2026-07-28 stdio provider's tools/list on the raw channel (issue 11)", () => {
  test("the demo provider's tools read raw are the SDK client's, key for key", async () => {
    const connection = await connect([hangarBinary(), "demo-provider", "--name", "demo"]);
    const raw = await rawToolsListPage(connection.client, {}, AbortSignal.timeout(10_000));
    expect(raw).toBeDefined();
    expect(JSON.stringify(raw!.tools)).toBe(JSON.stringify((await sdkPage(connection)).tools));
  });

  test("tools in any field order are rebuilt in the SDK's order, with a cursor kept", async () => {
    const { connection } = await pageServer(page(SHUFFLED, { nextCursor: "c2", _meta: { a: 1 } }));
    const raw = await rawToolsListPage(connection.client, {}, AbortSignal.timeout(10_000));
    const sdk = await sdkPage(connection);
    expect(raw).toBeDefined();
    expect(JSON.stringify(raw!.tools)).toBe(JSON.stringify(sdk.tools));
    expect(raw!.nextCursor).toBe("c2");
  });

  test.each([
    ["a tool field the SDK drops (execution)", page([{ name: "t", inputSchema: { type: "object" }, execution: {} }])],
    ["icons", page([{ name: "t", inputSchema: { type: "object" }, icons: [{ src: "x" }] }])],
    ["an annotation the SDK drops", page([{ name: "t", inputSchema: { type: "object" }, annotations: { x: 1 } }])],
    ["a mistyped annotation", page([{ name: "t", inputSchema: { type: "object" }, annotations: { readOnlyHint: 1 } }])],
    ["a missing resultType", { ttlMs: 0, cacheScope: "private", tools: [] }],
    ["a wrong cacheScope", page([], { cacheScope: "shared" })],
    ["an inputSchema that is not an object schema", page([{ name: "t", inputSchema: { type: "string" } }])],
    ["a tool without a name", page([{ inputSchema: { type: "object" } }])],
  ])("a page with %s is read again through the SDK client, whose answer or error it gets", async (_, result) => {
    const { connection, methods } = await pageServer(result);
    const raw = await rawToolsListPage(connection.client, {}, AbortSignal.timeout(10_000));
    expect(raw).toBeUndefined();
    const sdk = await sdkPage(connection).then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    );
    const viaCatalog = await readCatalog(connection.client, AbortSignal.timeout(10_000)).then(
      (catalog) => ({ value: catalog.tools }),
      (error: Error) => ({ error: error.message }),
    );
    expect(viaCatalog).toEqual("value" in sdk ? { value: sdk.value.tools } : sdk);
    // Raw, SDK, then the catalog's raw try and its SDK retry.
    expect(methods().filter((method) => method === "tools/list")).toHaveLength(4);
  });

  test("a provider that exits on its raw tools/list fails the start as through the SDK, and is gone", async () => {
    const spawner = countingSpawner();
    const base = stdioProvider("pager", fixture("page-server.ts"));
    const provider = { ...base, transport: { ...base.transport, env: { PAGE_EXIT: "3" } } } as typeof base;
    const gateway = new Gateway(configOf([provider]), { spawner });
    try {
      const result = await gateway.callOne({ provider: "pager", tool: "x", arguments: {} });
      // The message of the SDK path (before issue 11's raw page), compared on the binary by hand.
      expect(result).toMatchObject({
        ok: false,
        error: { type: "provider_unavailable", message: 'Cannot start provider "pager": Connection closed' },
      });
    } finally {
      await gateway.close();
    }
    await waitFor(() => spawner.pids.every((pid) => !isAlive(pid)), 10_000, "the provider to be gone");
  });
});
