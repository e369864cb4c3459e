// Issue 13, "any replica answers any request", proven with a real load balancer: three compiled
// `hangar serve --http` processes sharing one --session-key-file behind Debian's HAProxy (round-robin,
// no stickiness, health checks on /readyz). A v1 SDK client (a 2025 session) and a v2 client pinned to
// 2026-07-28 run batches and pass-through calls across the replicas; one replica is stopped with
// SIGTERM mid-run and no call is lost; another is killed with SIGKILL: the calls running on it fail,
// never hang, and the clients' next requests succeed on the one left.
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { demoProvidersYaml, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { HAPROXY, startHaproxy } from "../helpers/haproxy.ts";
import { type HttpHangar, startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";

const TIMEOUT_MS = 90_000;
const KEY = "the replicas' shared session key, thirty-two bytes or more\n";

/** hangar.yaml with the demo provider `demo` and the gate provider `gate`; the key file's path. */
function configure(box: Sandbox): string {
  box.write(
    "hangar.yaml",
    `${demoProvidersYaml(["demo"])}  - ${JSON.stringify({ id: "gate", command: fixture("gate-server.ts") })}\n`,
  );
  return box.write("session-key", KEY);
}

/** The text of a tool result's first content block. */
function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content[0]?.text ?? "";
}

/** The sum of a metric's samples (with `labels`) on a replica's /metrics; 0 once the replica is gone. */
async function counter(replica: HttpHangar, name: string, labels = ""): Promise<number> {
  if (replica.running.proc.exitCode !== null || replica.running.proc.signalCode !== null) return 0;
  const text = await (await fetch(`${replica.base}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** Both clients: each opens a connection to the load balancer. */
async function clients(base: string) {
  const legacy = new Client({ name: "replicas-2025", version: "1.0.0" });
  const legacyTransport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
  await legacy.connect(legacyTransport);
  const modern = new ModernClient(
    { name: "replicas-2026", version: "1.0.0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await modern.connect(new ModernTransport(new URL(`${base}/mcp`)));
  return { legacy, legacyTransport, modern };
}

type Clients = Awaited<ReturnType<typeof clients>>;

/** One round: each client runs a hangar_call batch of three echoes and one pass-through echo; all must be ok. */
async function round(c: Clients, tag: string): Promise<void> {
  const batch = {
    name: "hangar_call",
    arguments: {
      calls: [1, 2, 3].map((n) => ({ provider: "demo", tool: "echo", arguments: { message: `${tag}-${n}` } })),
    },
  };
  const echo = (who: string) => ({ name: "demo__echo", arguments: { message: `${tag}-${who}` } });
  const [legacyBatch, modernBatch, legacyEcho, modernEcho] = await Promise.all([
    c.legacy.callTool(batch),
    c.modern.callTool(batch),
    c.legacy.callTool(echo("legacy")),
    c.modern.callTool(echo("modern")),
  ]);
  for (const result of [legacyBatch, modernBatch]) {
    expect(result.isError).toBeFalsy();
    expect(JSON.stringify(result)).toContain(`${tag}-3`);
  }
  expect(textOf(legacyEcho)).toContain(`${tag}-legacy`);
  expect(textOf(modernEcho)).toContain(`${tag}-modern`);
}

/** A gate call: its `started` file appears once it runs; writing `release` lets it answer. */
function gate(box: Sandbox, name: string) {
  const started = join(box.root, `${name}.started`);
  const release = join(box.root, `${name}.release`);
  return {
    arguments: { started, release },
    running: () => waitFor(() => existsSync(started), 20_000, `the ${name} call to run`),
    release: () => writeFileSync(release, ""),
  };
}

/** Which replica runs gate calls now (by hangar_calls_in_flight), once exactly `count` run in all. */
async function runningGates(replicas: readonly HttpHangar[], count: number): Promise<number[]> {
  let load: number[] = [];
  await waitFor(
    async () => {
      load = await Promise.all(replicas.map((r) => counter(r, "hangar_calls_in_flight", 'provider="gate"')));
      return load.reduce((a, b) => a + b, 0) === count;
    },
    20_000,
    `${count} gate calls in flight`,
  );
  return load;
}

describe("Issue 13: three replicas behind HAProxy, round-robin, no stickiness", () => {
  if (HAPROXY === undefined) {
    test.skip("three replicas behind HAProxy (skipped: /usr/sbin/haproxy is missing; .ci/run installs Debian's haproxy)", () => {});
    return;
  }
  test(
    "clients of both eras are served by every replica; a SIGTERM loses no call, a SIGKILL fails only the calls on it",
    async () => {
      using box = sandbox();
      const key = configure(box);
      const replicas = await Promise.all(
        [0, 1, 2].map(() =>
          startHttpHangar(box, ["--session-key-file", key, "--drain-s", "60", "--log-level", "debug"]),
        ),
      );
      await using lb = await startHaproxy(
        box.root,
        replicas.map((replica) => replica.port),
      );
      await using _replicas = {
        [Symbol.asyncDispose]: () =>
          Promise.all(replicas.map((replica) => replica[Symbol.asyncDispose]())).then(() => {}),
      };
      await waitFor(
        async () => Object.values(await lb.states()).filter((state) => state === "UP").length === 3,
        10_000,
        "HAProxy to see three replicas up",
      );
      const c = await clients(lb.base);
      expect(c.modern.getNegotiatedProtocolVersion()).toBe("2026-07-28");

      // Both eras list tools and run batches and pass-through calls on every replica.
      for (const client of [c.legacy, c.modern])
        await waitFor(
          async () => (await client.listTools()).tools.some((tool) => tool.name === "demo__echo"),
          20_000,
          "demo__echo to be listed",
        );
      for (let i = 0; i < 4; i++) await round(c, `spread${i}`);
      const calls = await Promise.all(replicas.map((replica) => counter(replica, "hangar_calls_total")));
      expect(calls.filter((n) => n > 0).length).toBeGreaterThan(1);
      const rebuilt = replicas.filter((replica) =>
        replica.running.stderr().includes("rebuilt a sealed MCP session opened elsewhere"),
      );
      expect(rebuilt.length).toBeGreaterThan(0); // the 2025 session moved between replicas

      // SIGTERM mid-run: the replica running a long call drains; nothing is lost.
      const slow = gate(box, "slow");
      const slowCall = c.legacy.callTool({ name: "gate__wait", arguments: slow.arguments });
      await slow.running();
      const load = await runningGates(replicas, 1);
      const stopped = load.indexOf(1);
      process.kill(replicas[stopped]!.running.pid, "SIGTERM");
      await waitFor(
        async () => (await lb.states())[`r${stopped}`]?.startsWith("DOWN") ?? false,
        10_000,
        "HAProxy to take the draining replica out",
      );
      for (let i = 0; i < 3; i++) await round(c, `drain${i}`);
      slow.release();
      expect(textOf(await slowCall)).toBe("released");
      const drained = replicas[stopped]!.running.proc;
      await waitFor(() => drained.exitCode !== null, 20_000, "the drained replica to exit");
      expect(drained.exitCode).toBe(0);
      await round(c, "after-drain");

      // SIGKILL: the calls running on the killed replica fail (never hang); the rest, and what follows, succeed.
      const gates = [0, 1, 2, 3].map((n) => gate(box, `held${n}`));
      const settled: { ok: boolean; text: string }[] = [];
      const held = gates.map((g, n) =>
        (n % 2 === 0 ? c.legacy : c.modern)
          .callTool({ name: "gate__wait", arguments: g.arguments })
          .then(
            (result) => ({ ok: result.isError !== true, text: textOf(result) }),
            (error: unknown) => ({ ok: false, text: String(error) }),
          )
          .then((outcome) => {
            settled.push(outcome);
            return outcome;
          }),
      );
      await Promise.all(gates.map((g) => g.running()));
      const before = await runningGates(replicas, 4);
      const killed = before.findIndex((n) => n > 0);
      const onKilled = before[killed] as number;
      process.kill(replicas[killed]!.running.pid, "SIGKILL");
      await waitFor(() => settled.length >= onKilled, 20_000, "the calls on the killed replica to fail");
      for (const outcome of settled) {
        expect(outcome.ok).toBe(false);
        expect(outcome.text).toMatch(/ECONNRESET|closed|terminated|50[23]/); // said plainly, at once
      }
      for (let i = 0; i < 2; i++) await round(c, `after-kill${i}`);
      for (const g of gates) g.release();
      const outcomes = await Promise.all(held);
      expect(outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.text)).toEqual(
        Array(4 - onKilled).fill("released"),
      );
    },
    TIMEOUT_MS,
  );
});
