// Issue 17 end to end: `hangar serve` (stdio and HTTP) applies each valid save of its config live, never
// dropping a running call, and keeps the running config when a save is broken.
import { describe, expect, test } from "bun:test";
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { BatchResult } from "../../src/gateway/index.ts";
import { type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { isAlive, waitFor } from "../helpers/processes.ts";
import { serve, textOf } from "../helpers/serve.ts";

const TIMEOUT_MS = 40_000;

/** A provider entry running the reload fixture, its instance told apart by $RELOAD_TAG. */
function entry(id: string, tag = "one", extra: Record<string, unknown> = {}): string {
  return `  - ${JSON.stringify({ id, command: fixture("reload-server.ts"), env: { RELOAD_TAG: tag }, ...extra })}\n`;
}
const yaml = (...entries: string[]) => `providers:\n${entries.join("")}`;

/** Saves the config the way editors do: a new file renamed over the old one. */
function save(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

interface Status {
  config: {
    source: string;
    hash: string;
    loaded_at: string;
    reloads: number;
    last_reload?: { result: string; trigger: string; error?: string };
  };
  providers: { id: string; pid?: number; in_flight: number; state: string }[];
  draining?: { id: string; calls: number; pid?: number }[];
}
async function status(client: Client): Promise<Status> {
  const result = (await client.callTool({ name: "hangar_status", arguments: {} })) as CallToolResult;
  return result.structuredContent as unknown as Status;
}
async function waitForReload(client: Client, reloads: number, what = "the config to reload"): Promise<Status> {
  let last: Status | undefined;
  await waitFor(
    async () => {
      last = await status(client);
      return last.config.reloads >= reloads;
    },
    15_000,
    what,
  );
  return last!;
}
async function waitForInFlight(client: Client, id: string, count: number): Promise<number> {
  let pid = 0;
  await waitFor(
    async () => {
      const provider = (await status(client)).providers.find((p) => p.id === id);
      pid = provider?.pid ?? 0;
      return provider?.in_flight === count;
    },
    15_000,
    `${count} calls in flight on "${id}"`,
  );
  return pid;
}
function batch(client: Client, calls: Record<string, unknown>[]): Promise<BatchResult> {
  return client
    .callTool({ name: "hangar_call", arguments: { calls } }, undefined, { timeout: 60_000 })
    .then((result) => (result as CallToolResult).structuredContent as unknown as BatchResult);
}
const who = (text: string) => JSON.parse(text) as { pid: number; tag: string };
const gateIn = (box: Sandbox) => join(box.root, "gate");

describe("hangar serve: live config reload (issue 17)", () => {
  test(
    "a batch running across a reload loses no call, on a removed, a relaunched and a kept provider",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", yaml(entry("keep"), entry("gone"), entry("moved", "one")));
      await using session = await serve(box);
      const gate = gateIn(box);
      const hold = (provider: string) => ({ provider, tool: "hold", arguments: { gate } });
      const running = batch(session.client, [hold("keep"), hold("gone"), hold("moved"), hold("moved")]);
      await waitForInFlight(session.client, "moved", 2);
      await waitForInFlight(session.client, "gone", 1);
      save(config, yaml(entry("keep", "one", { max_concurrency: 2 }), entry("moved", "two"), entry("added")));
      const reloaded = await waitForReload(session.client, 1);
      expect(reloaded.config.last_reload).toMatchObject({ result: "applied", trigger: "file" });
      expect(reloaded.draining?.map((d) => [d.id, d.calls]).sort()).toEqual([
        ["gone", 1],
        ["moved", 2],
      ]);
      writeFileSync(gate, "");
      const result = await running;
      expect(result.results.map((r) => r.ok)).toEqual([true, true, true, true]);
      expect(result.results.slice(2).map((r) => who(textOf(r.result)).tag)).toEqual(["one", "one"]);
      const after = await batch(session.client, [
        { provider: "moved", tool: "whoami" },
        { provider: "gone", tool: "whoami" },
        { provider: "added", tool: "whoami" },
      ]);
      expect(who(textOf(after.results[0]!.result)).tag).toBe("two");
      expect(after.results[1]!.error?.type).toBe("unknown_provider");
      expect(after.results[2]!.ok).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    "an added provider is callable and announced with tools/list_changed",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", yaml(entry("first")));
      await using session = await serve(box, { env: { HANGAR_CACHE_DIR: join(box.root, "cache") } });
      await waitFor(() => session.listChanged() > 0, 15_000, "the first provider's tools to be listed");
      const before = session.listChanged();
      save(config, yaml(entry("first"), entry("second", "two")));
      await waitFor(() => session.listChanged() > before, 15_000, "tools/list_changed after the reload");
      const names = (await session.client.listTools()).tools.map((t) => t.name);
      expect(names).toContain("second__whoami");
      const answer = await session.client.callTool({ name: "second__whoami", arguments: {} });
      expect(who(textOf(answer)).tag).toBe("two");
    },
    TIMEOUT_MS,
  );

  test(
    "a removed provider finishes its running call, refuses new calls with unknown_provider, then stops",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", yaml(entry("stays"), entry("leaves")));
      await using session = await serve(box);
      const gate = gateIn(box);
      const running = session.client.callTool({ name: "leaves__hold", arguments: { gate } }, undefined, {
        timeout: 60_000,
      });
      const pid = await waitForInFlight(session.client, "leaves", 1);
      save(config, yaml(entry("stays")));
      const reloaded = await waitForReload(session.client, 1);
      expect(reloaded.providers.map((p) => p.id)).toEqual(["stays"]);
      expect(reloaded.draining).toEqual([{ id: "leaves", calls: 1, pid }]);
      const refused = await batch(session.client, [{ provider: "leaves", tool: "whoami" }]);
      expect(refused.results[0]!.error?.type).toBe("unknown_provider");
      expect(isAlive(pid)).toBe(true);
      writeFileSync(gate, "");
      expect(who(textOf(await running)).pid).toBe(pid);
      await waitFor(() => !isAlive(pid), 15_000, "the removed provider's process to exit");
      await waitFor(async () => (await status(session.client)).draining === undefined, 15_000, "the drain to end");
    },
    TIMEOUT_MS,
  );

  test(
    "a broken save keeps the old config, says where the error is (status and log), and the next valid save applies",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", yaml(entry("p")));
      await using session = await serve(box);
      const applied = (await status(session.client)).config;
      save(config, `${yaml(entry("p"))}  - id: q\n    comand: nothing\n`);
      const failed = await waitForReload(session.client, 1);
      expect(failed.config.hash).toBe(applied.hash);
      expect(failed.config.last_reload).toMatchObject({ result: "failed", trigger: "file" });
      expect(failed.config.last_reload?.error).toContain(`${config}:4:5`);
      expect((await batch(session.client, [{ provider: "p", tool: "whoami" }])).ok).toBe(true);
      save(config, yaml(entry("p"), entry("q")));
      const fixed = await waitForReload(session.client, 2);
      expect(fixed.config.last_reload).toMatchObject({ result: "applied" });
      expect(fixed.config.hash).not.toBe(applied.hash);
      expect(fixed.providers.map((p) => p.id)).toEqual(["p", "q"]);
      const warnings = session
        .stderr()
        .split("\n")
        .filter((line) => line.includes("config not reloaded"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`${config}:4:5`);
    },
    TIMEOUT_MS,
  );

  test(
    "a ConfigMap-style swap of the ..data symlink is picked up",
    async () => {
      using box = sandbox();
      const mount = join(box.root, "configmap");
      mkdirSync(join(mount, "..v1"), { recursive: true });
      writeFileSync(join(mount, "..v1", "hangar.yaml"), yaml(entry("p", "one")));
      symlinkSync("..v1", join(mount, "..data"));
      symlinkSync("..data/hangar.yaml", join(mount, "hangar.yaml"));
      await using session = await serve(box, { args: ["--config", join(mount, "hangar.yaml")] });
      expect((await status(session.client)).config.source).toBe(join(mount, "hangar.yaml"));
      // What the kubelet does: write a new timestamped folder, point ..data_tmp at it, rename it over ..data.
      mkdirSync(join(mount, "..v2"));
      writeFileSync(join(mount, "..v2", "hangar.yaml"), yaml(entry("p", "two")));
      symlinkSync("..v2", join(mount, "..data_tmp"));
      renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
      rmSync(join(mount, "..v1"), { recursive: true });
      const reloaded = await waitForReload(session.client, 1);
      expect(reloaded.config.last_reload).toMatchObject({ result: "applied" });
      const answer = await batch(session.client, [{ provider: "p", tool: "whoami" }]);
      expect(who(textOf(answer.results[0]!.result)).tag).toBe("two");
    },
    TIMEOUT_MS,
  );
});

describe("hangar serve --http: live config reload (issue 17)", () => {
  test(
    "SIGHUP reloads the config (with --no-watch, only SIGHUP does), and the reload is counted in /metrics",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", yaml(entry("p")));
      await using hangar = await startHttpHangar(box, ["--no-watch"]);
      const { client } = await hangar.connect();
      save(config, yaml(entry("p"), entry("q")));
      hangar.running.proc.kill("SIGHUP");
      const reloaded = await waitForReload(client, 1, "SIGHUP to reload the config");
      expect(reloaded.config.reloads).toBe(1);
      expect(reloaded.config.last_reload).toMatchObject({ result: "applied", trigger: "SIGHUP" });
      expect(reloaded.providers.map((p) => p.id)).toEqual(["p", "q"]);
      hangar.running.proc.kill("SIGHUP");
      const again = await waitForReload(client, 2, "a second SIGHUP to reload the config");
      expect(again.config.last_reload).toMatchObject({ result: "unchanged", trigger: "SIGHUP" });
      expect(hangar.running.proc.exitCode).toBeNull();
      const metrics = await (await fetch(`${hangar.base}/metrics`)).text();
      expect(metrics).toContain('hangar_config_reloads_total{result="applied"} 1');
      expect(metrics).toContain('hangar_config_reloads_total{result="unchanged"} 1');
      expect(metrics).toContain('hangar_config_reloads_total{result="failed"} 0');
    },
    TIMEOUT_MS,
  );

  test(
    "a changed env starts a new instance while the old one finishes its call; a broken save shows in /readyz",
    async () => {
      using box = sandbox();
      const config = box.write("hangar.yaml", yaml(entry("p", "one")));
      await using hangar = await startHttpHangar(box);
      const { client } = await hangar.connect();
      const gate = gateIn(box);
      const running = client.callTool({ name: "p__hold", arguments: { gate } }, undefined, { timeout: 60_000 });
      const oldPid = await waitForInFlight(client, "p", 1);
      save(config, yaml(entry("p", "two")));
      await waitForReload(client, 1);
      const fresh = who(textOf(await client.callTool({ name: "p__whoami", arguments: {} })));
      expect(fresh.tag).toBe("two");
      expect(fresh.pid).not.toBe(oldPid);
      expect(isAlive(oldPid)).toBe(true);
      writeFileSync(gate, "");
      expect(who(textOf(await running))).toEqual({ pid: oldPid, tag: "one" });
      await waitFor(() => !isAlive(oldPid), 15_000, "the old instance to exit");

      save(config, "providers:\n  - id: p\n    command: [\n");
      await waitForReload(client, 2);
      const ready = await fetch(`${hangar.base}/readyz`);
      expect(ready.status).toBe(200);
      const detail = (await ready.json()) as { config: { last_reload_error?: string } };
      expect(detail.config.last_reload_error).toContain(config);
      expect(who(textOf(await client.callTool({ name: "p__whoami", arguments: {} }))).tag).toBe("two");
    },
    TIMEOUT_MS,
  );
});
