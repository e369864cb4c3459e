// A 2026-07-28 client follows provider resources with `subscriptions/listen` (issue 10's follow-up): Hangar
// subscribes upstream once per resource however many listens name it — `resources/subscribe` on a 2025
// provider (tests/fixtures/conformance-server.ts), a listen of its own on a 2026 one
// (tests/fixtures/modern-server.ts, which counts the listens naming its resource) — unsubscribes when the
// last listen ends, and delivers the provider's updates on the client's listen streams under Hangar's URI.
import { describe, expect, test } from "bun:test";
import { Client, type ClientOptions, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import type { Sandbox } from "../helpers/e2e.ts";
import { sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { sharedBox } from "../helpers/shared.ts";
import { v2StdioClient } from "../helpers/v2-stdio-client.ts";

const PINNED: ClientOptions = { versionNegotiation: { mode: { pin: "2026-07-28" } } };
const OLD_URI = "hangar://old/test://watched-resource";
const NEW_URI = "hangar://new/test://watched";

/** hangar.yaml with a 2025 provider `old` and a 2026 provider `new` (`extra` on top verbatim). */
const config = (extra = "") =>
  `${extra}providers:\n  - ${JSON.stringify({ id: "old", command: fixture("conformance-server.ts") })}\n  - ${JSON.stringify({ id: "new", command: fixture("modern-server.ts") })}\n`;

/** A sandbox with that config. */
function box(): Sandbox {
  const box = sandbox();
  box.write("hangar.yaml", config());
  return box;
}

const textOf = (result: unknown) => (result as { content: { text: string }[] }).content[0]!.text;

/** Counts the `resources/updated` the client hears, by URI. */
function updates(client: Client): Map<string, number> {
  const seen = new Map<string, number>();
  client.setNotificationHandler("notifications/resources/updated", async (notification) => {
    seen.set(notification.params.uri, (seen.get(notification.params.uri) ?? 0) + 1);
  });
  return seen;
}

/** Both listens of a 2025 provider's resource follow it upstream until the last one closes. */
async function followsOld(client: Client): Promise<void> {
  const seen = updates(client);
  const touch = async () => textOf(await client.callTool({ name: "old__touch_watched_resource", arguments: {} }));
  expect(await touch()).toBe("nobody subscribed");
  const first = await client.listen({ resourceSubscriptions: [OLD_URI] });
  expect(first.honoredFilter.resourceSubscriptions).toEqual([OLD_URI]);
  const second = await client.listen({ resourceSubscriptions: [OLD_URI] });
  expect(await touch()).toBe("updated");
  await waitFor(() => (seen.get(OLD_URI) ?? 0) === 2, 10_000, "resources/updated on both listens");
  await first.close();
  expect(await touch()).toBe("updated");
  await second.close();
  await waitFor(async () => (await touch()) === "nobody subscribed", 10_000, "the provider to be unsubscribed");
  expect([...seen.keys()]).toEqual([OLD_URI]);
}

/** Two listens of a 2026 provider's resource are one listen upstream, ended with the last of them. */
async function followsNew(client: Client): Promise<void> {
  const seen = updates(client);
  const listens = async () =>
    (await client.callTool({ name: "new__watched_listens", arguments: {} })).structuredContent as {
      open: number;
      opened: number;
    };
  const first = await client.listen({ resourceSubscriptions: [NEW_URI] });
  expect(first.honoredFilter.resourceSubscriptions).toEqual([NEW_URI]);
  const second = await client.listen({ resourceSubscriptions: [NEW_URI], toolsListChanged: true });
  expect(await listens()).toEqual({ open: 1, opened: 1 });
  await client.callTool({ name: "new__touch_watched", arguments: {} });
  await waitFor(() => (seen.get(NEW_URI) ?? 0) === 2, 10_000, "resources/updated on both listens");
  await second.close();
  expect(await listens()).toEqual({ open: 1, opened: 1 });
  await first.close();
  await waitFor(async () => (await listens()).open === 0, 10_000, "the provider's listen to end");
  expect([...seen.keys()]).toEqual([NEW_URI]);
}

/** A listen naming a resource nobody offers is acknowledged without it. */
async function refusesUnknown(client: Client): Promise<void> {
  const listen = await client.listen({ resourceSubscriptions: ["hangar://nobody/x"], toolsListChanged: true });
  expect(listen.honoredFilter).toEqual({ toolsListChanged: true });
  await listen.close();
}

/** A v2 client pinned to 2026-07-28 on `base`'s `/mcp`. */
async function httpClient(base: string): Promise<Client & AsyncDisposable> {
  const client = new Client({ name: "hangar-tests", version: "1.0.0" }, PINNED) as Client & AsyncDisposable;
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
  client[Symbol.asyncDispose] = () => client.close();
  return client;
}

describe("hangar serve (stdio): a 2026-07-28 client's subscriptions/listen follows provider resources", () => {
  test("a 2025 provider's resource is subscribed upstream while any listen names it, and its updates arrive", async () => {
    using sandboxed = box();
    await using client = await v2StdioClient(sandboxed, PINNED);
    await followsOld(client);
  }, 30_000);

  test("a 2026 provider's resource is followed with one listen upstream however many listen, and its updates arrive", async () => {
    using sandboxed = box();
    await using client = await v2StdioClient(sandboxed, PINNED);
    await followsNew(client);
    await refusesUnknown(client);
  }, 30_000);
});

describe("hangar serve --http: a 2026-07-28 client's subscriptions/listen follows provider resources", () => {
  test("a 2025 provider's resource is subscribed upstream while any listen names it, and its updates arrive", async () => {
    using sandboxed = box();
    await using hangar = await startHttpHangar(sandboxed);
    await using client = await httpClient(hangar.base);
    await followsOld(client);
  }, 30_000);

  test("a 2026 provider's resource is followed with one listen upstream however many listen, and its updates arrive", async () => {
    using sandboxed = box();
    await using hangar = await startHttpHangar(sandboxed);
    await using client = await httpClient(hangar.base);
    await followsNew(client);
    await refusesUnknown(client);
  }, 30_000);
});

describe("hangar serve --shared: a 2026-07-28 client's subscriptions/listen follows provider resources", () => {
  test("both providers' resources are followed upstream through the daemon and their updates arrive", async () => {
    await using shared = sharedBox();
    shared.box.write("hangar.yaml", config("shared: true\n"));
    await using client = await v2StdioClient({ ...shared.box, env: shared.env }, PINNED);
    await followsOld(client);
    await followsNew(client);
  }, 30_000);
});
