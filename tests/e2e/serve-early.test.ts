// `hangar serve`'s early reader (issue 11: serve answers `tools/list` ≤ 50 ms after launch): a stdio
// client's `initialize` and `tools/list` answered from the SDK path's recorded answers before the SDK
// loads, exactly as the SDK path answered them; anything else waits for the SDK.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SUPPORTED_PROTOCOL_VERSIONS } from "@modelcontextprotocol/server";
import { demoProvidersYaml, hangarBinary, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 60_000;
const EARLY = "answered early, before the SDK loaded";
const VERSIONS_2025 = SUPPORTED_PROTOCOL_VERSIONS.filter((v) => !v.startsWith("2026"));

type Message = { id?: unknown; method?: string; result?: unknown; error?: unknown };

/** The handshake of a 2025 client asking for `version`, and its first tools/list. */
const handshake = (version: string): object[] => [
  {
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: version,
      capabilities: { roots: { listChanged: true } },
      clientInfo: { name: "t", version: "1" },
    },
  },
  { method: "notifications/initialized" },
  { id: 2, method: "tools/list" },
];

/**
 * Runs `hangar serve` (debug logs), writes `lines` at once, reads until each of `until` is answered
 * (or `untilMethod` is sent), then closes stdin and waits for the exit.
 */
async function run(
  box: Sandbox,
  lines: readonly (object | string)[],
  until: { ids?: readonly unknown[]; method?: string },
): Promise<{ answers: Map<unknown, Message>; early: number; stderr: string; exitCode: number }> {
  const proc = Bun.spawn([hangarBinary(), "serve"], {
    env: { ...box.env, HANGAR_LOG_LEVEL: "debug", HANGAR_CACHE_DIR: join(box.root, "cache") },
    cwd: box.cwd,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  proc.stdin.write(
    lines.map((l) => (typeof l === "string" ? `${l}\n` : `${JSON.stringify({ jsonrpc: "2.0", ...l })}\n`)).join(""),
  );
  proc.stdin.flush();
  const stderr = new Response(proc.stderr).text();
  const answers = new Map<unknown, Message>();
  let buffer = "";
  let seen = false;
  const decoder = new TextDecoder();
  for await (const chunk of proc.stdout) {
    buffer += decoder.decode(chunk);
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      const message = JSON.parse(line) as Message;
      if ("result" in message || "error" in message) answers.set(message.id, message);
      if (message.method === until.method) seen = true;
    }
    if ((until.ids ?? []).every((id) => answers.has(id)) && (until.method === undefined || seen)) break;
  }
  proc.stdin.end();
  const exitCode = await proc.exited;
  const text = await stderr;
  return { answers, early: text.split("\n").filter((l) => l.includes(EARLY)).length, stderr: text, exitCode };
}

/** Two demo providers, their catalogs cached by a first serve that listed them. */
async function cachedBox(): Promise<Sandbox> {
  const box = sandbox();
  box.write("hangar.yaml", demoProvidersYaml(["alpha", "beta"]));
  await run(box, handshake("2025-06-18"), { method: "notifications/tools/list_changed" });
  return box;
}

describe("hangar serve: the early reader", () => {
  test(
    "answers initialize and tools/list exactly as the SDK path did, for every 2025 protocol version, then hands over",
    async () => {
      using box = await cachedBox();
      expect(VERSIONS_2025.length).toBeGreaterThanOrEqual(3);
      for (const version of VERSIONS_2025) {
        // The SDK path answers (and records); the next start with the same config and cache answers early.
        const sdk = await run(box, handshake(version), { ids: [1, 2] });
        expect(sdk.early).toBe(0);
        const call = { id: 3, method: "tools/call", params: { name: "alpha__echo", arguments: { message: "hi" } } };
        const early = await run(box, [...handshake(version), call], { ids: [1, 2, 3] });
        expect(early.early).toBe(2);
        expect(early.answers.get(1)).toEqual(sdk.answers.get(1)!);
        expect(early.answers.get(2)).toEqual(sdk.answers.get(2)!);
        const initialize = early.answers.get(1)?.result as { protocolVersion: string; instructions?: string };
        expect(initialize.protocolVersion).toBe(version);
        expect(initialize.instructions).toContain("hangar_call");
        const tools = (early.answers.get(2)!.result as { tools: { name: string; outputSchema?: unknown }[] }).tools;
        expect(tools.map((t) => t.name)).toContain("beta__echo");
        expect(tools.find((t) => t.name === "hangar_call")?.outputSchema).toBeDefined();
        // The SDK took the connection over: a later call is answered by the gateway.
        expect(JSON.stringify(early.answers.get(3)?.result)).toContain("hi");
        expect(early.exitCode).toBe(0);
      }
    },
    TIMEOUT_MS * 2,
  );

  test(
    "a changed cached catalog, a 2026 client, a malformed line or another request first: the SDK answers",
    async () => {
      using box = await cachedBox();
      await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      const recorded = await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      expect(recorded.early).toBe(2);

      const meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
        "io.modelcontextprotocol/clientCapabilities": {},
      };
      const modern = await run(box, [{ id: 7, method: "server/discover", params: { _meta: meta } }], { ids: [7] });
      expect(modern.early).toBe(0);
      expect(JSON.stringify(modern.answers.get(7))).toContain("supportedVersions");

      const malformed = await run(box, ["{not json", ...handshake("2025-06-18")], { ids: [null, 1, 2] });
      expect(malformed.early).toBe(0);
      expect(malformed.answers.get(null)?.error).toBeDefined();
      expect(malformed.answers.get(2)).toEqual(recorded.answers.get(2)!);

      // A ping between the handshake and tools/list: initialize answered early, the rest by the SDK, in order.
      const [init, initialized, list] = handshake("2025-06-18");
      const pinged = await run(box, [init!, initialized!, { id: 5, method: "ping" }, list!], { ids: [1, 5, 2] });
      expect(pinged.early).toBe(1);
      expect(pinged.answers.get(5)?.result).toEqual({});
      expect(pinged.answers.get(2)).toEqual(recorded.answers.get(2)!);

      // A provider's cached tools changed: the record no longer holds, and the SDK lists the new ones.
      const cache = join(box.root, "cache");
      const file = join(cache, readdirSync(cache).find((name) => name.startsWith("catalog-alpha-"))!);
      const data = JSON.parse(readFileSync(file, "utf8"));
      data.catalog.tools[0].description = "changed on disk";
      writeFileSync(file, JSON.stringify(data));
      const changed = await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      expect(changed.early).toBe(0);
      expect(JSON.stringify(changed.answers.get(2))).toContain("changed on disk");
      // …and it recorded the new answers: the next start answers them early.
      const again = await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      expect(again.early).toBe(2);
      expect(again.answers.get(2)).toEqual(changed.answers.get(2)!);
    },
    TIMEOUT_MS * 2,
  );

  test(
    "a config changed while the early reader answered: the client is told tools/list_changed and lists the new tools",
    async () => {
      using box = await cachedBox();
      await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      const proc = Bun.spawn([hangarBinary(), "serve"], {
        env: { ...box.env, HANGAR_LOG_LEVEL: "debug", HANGAR_CACHE_DIR: join(box.root, "cache") },
        cwd: box.cwd,
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      });
      let stderr = "";
      void (async () => {
        for await (const chunk of proc.stderr) stderr += new TextDecoder().decode(chunk);
      })();
      await waitFor(() => stderr.includes("early reader ready"), 10_000, "the early reader");
      // Its record was checked at the start; the gateway reads this config.
      box.write("hangar.yaml", demoProvidersYaml(["alpha"]));
      const send = (message: object) => {
        proc.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
        proc.stdin.flush();
      };
      for (const message of handshake("2025-06-18")) send(message);
      const seen: Message[] = [];
      const reading = (async () => {
        let buffer = "";
        for await (const chunk of proc.stdout) {
          buffer += new TextDecoder().decode(chunk);
          const parts = buffer.split("\n");
          buffer = parts.pop() ?? "";
          for (const line of parts) seen.push(JSON.parse(line) as Message);
        }
      })();
      await waitFor(() => seen.some((m) => m.method === "notifications/tools/list_changed"), 15_000, "list_changed");
      const stale = JSON.stringify(seen.find((m) => m.id === 2));
      expect(stale).toContain("beta__echo");
      send({ id: 4, method: "tools/list" });
      await waitFor(() => seen.some((m) => m.id === 4), 10_000, "the second tools/list");
      const fresh = JSON.stringify(seen.find((m) => m.id === 4));
      expect(fresh).toContain("alpha__echo");
      expect(fresh).not.toContain("beta__echo");
      expect(stderr.split("\n").filter((l) => l.includes(EARLY))).toHaveLength(2);
      proc.stdin.end();
      expect(await proc.exited).toBe(0);
      await reading;
    },
    TIMEOUT_MS,
  );

  test(
    "a changed config is not answered from the old record",
    async () => {
      using box = await cachedBox();
      await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      expect((await run(box, handshake("2025-06-18"), { ids: [1, 2] })).early).toBe(2);
      box.write("hangar.yaml", demoProvidersYaml(["alpha", "beta"], "pinning: off\n"));
      const changed = await run(box, handshake("2025-06-18"), { ids: [1, 2] });
      expect(changed.early).toBe(0);
    },
    TIMEOUT_MS,
  );
});
