// Providers and config files that attack hangar on purpose (issue 9, "Hardening"): the compiled binary
// must stay responsive and bounded, and say clearly which provider or which line is at fault.
import { describe, expect, test } from "bun:test";
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { BatchResult } from "../../src/gateway/index.ts";
import { aliasBomb } from "../fixtures/config/helpers.ts";
import { demoProvidersYaml, hangarBinary, runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { hangarCallRequest, INITIALIZED, initializeRequest, stdinOf } from "../helpers/jsonrpc.ts";
import { fixture } from "../helpers/paths.ts";
import { waitFor } from "../helpers/processes.ts";
import { hangarCall, serve } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;

/** A YAML provider entry running the hostile fixture in `mode` (JSON is YAML). */
function hostile(id: string, mode: string, extra: Record<string, unknown> = {}): string {
  const { env, ...rest } = extra as { env?: Record<string, string> };
  return `  - ${JSON.stringify({ id, command: fixture("hostile-server.ts"), env: { HOSTILE_MODE: mode, ...env }, ...rest })}\n`;
}

function config(box: Sandbox, providers: string[]): void {
  box.write("hangar.yaml", `providers:\n${providers.join("")}`);
}

describe("issue 9: hostile providers", () => {
  test(
    "issue 9.9: a 64 KiB resources/read URI against a backtracking-prone template is answered in < 50 ms",
    async () => {
      using box = sandbox();
      config(box, [hostile("evil", "template", { prefix: false })]);
      await using session = await serve(box);
      await waitFor(
        async () => (await session.client.listResourceTemplates()).resourceTemplates.length > 0,
        10_000,
        "the template to be listed",
      );
      const matching = await session.client.readResource({ uri: "t1-2-3-4-5-6-7-8-9-10-11-12!" });
      expect(matching.contents[0]).toMatchObject({ text: "read" });
      const pathological = `t${"-".repeat(64 * 1024)}`;
      let fastest = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now();
        await expect(session.client.readResource({ uri: pathological })).rejects.toThrow();
        fastest = Math.min(fastest, performance.now() - started);
      }
      expect(fastest).toBeLessThan(50);
    },
    TIMEOUT_MS,
  );
});

describe("issue 9: a noisy provider", () => {
  test("issue 9.7: while a provider floods stdout and stderr, a 100 ms call on another takes < 250 ms and hangar's stderr stays under 64 KiB", async () => {
    using box = sandbox();
    const done = join(box.root, "flood-done");
    box.write(
      "hangar.yaml",
      `providers:\n${hostile("noisy", "flood", { env: { FLOOD_DONE: done } })}  - ${JSON.stringify({ id: "demo", command: [hangarBinary(), "demo-provider"] })}\n`,
    );
    // At debug level, where a provider's stderr is logged too.
    await using session = await serve(box, { args: ["--log-level", "debug"] });
    // Both started before the flood, so the timed call measures only the flood's effect.
    await hangarCall(session, [
      { provider: "noisy", tool: "ok" },
      { provider: "demo", tool: "sleep", arguments: { ms: 0 } },
    ]);
    const base: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await hangarCall(session, [{ provider: "demo", tool: "sleep", arguments: { ms: 100 } }]);
      base.push(performance.now() - started);
    }
    await hangarCall(session, [{ provider: "noisy", tool: "flood" }]);
    await waitFor(() => session.stderr().includes("noise 1"), 10_000, "the flood to reach hangar");
    const timings: number[] = [];
    while (!existsSync(done) || timings.length < 3) {
      const started = performance.now();
      const { batch } = await hangarCall(session, [{ provider: "demo", tool: "sleep", arguments: { ms: 100 } }]);
      timings.push(performance.now() - started);
      expect(batch.ok).toBe(true);
    }
    // The calls ran one after another from the flood's start until the provider had written all of it.
    // 100 ms + 150 ms of headroom for a loaded 2-core machine (or more when the machine is slower still
    // without any flood); before the fix, these calls took 350–2200 ms and stderr grew by 145 MB.
    const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
    expect(median(timings)).toBeLessThan(Math.max(250, median(base) + 150));
    expect(session.stderr().length).toBeLessThan(64 * 1024);
    expect(session.stderr()).toContain('"provider":"noisy"');
  }, 60_000);
});

describe("issue 9: a client that stops reading hangar's stderr", () => {
  test(
    "issue 9.7: logging never blocks: with stderr a full pipe nobody reads, 300 calls at debug level are all answered",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      const fifo = join(box.root, "stderr");
      Bun.spawnSync(["mkfifo", fifo]);
      // Held open for reading and never read: once its 64 KiB buffer is full, a blocking write would hang.
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const calls = 300;
        const lines = echoSession("demo").split("\n").slice(0, 2);
        for (let id = 3; id < calls + 3; id++)
          lines.push(JSON.stringify({ ...JSON.parse(echoSession("demo").split("\n")[2]!), id }));
        const proc = Bun.spawn(["bash", "-c", `exec "$0" --log-level debug serve 2>"$1"`, hangarBinary(), fifo], {
          cwd: box.cwd,
          env: box.env,
          stdin: "pipe",
          stdout: "pipe",
        });
        proc.stdin.write(`${lines.join("\n")}\n`);
        await proc.stdin.flush();
        let stdout = "";
        const isAnswer = (line: string) => {
          try {
            return "result" in JSON.parse(line);
          } catch {
            return false; // Not a whole line yet.
          }
        };
        const answered = () => stdout.split("\n").filter(isAnswer).length;
        const reading = (async () => {
          for await (const chunk of proc.stdout) stdout += new TextDecoder().decode(chunk);
        })();
        try {
          await waitFor(() => answered() === calls + 1, 20_000, "every call to be answered");
        } finally {
          proc.kill("SIGKILL");
          await reading;
        }
      } finally {
        closeSync(reader);
      }
    },
    TIMEOUT_MS,
  );
});

describe("issue 9: hostile catalogs", () => {
  test(
    "issue 9.8: a provider whose tools, prompts or resources list never ends fails to start with an error naming it",
    async () => {
      using box = sandbox();
      const slow = { startup_timeout_s: 20 };
      box.write(
        "hangar.yaml",
        `providers:\n${hostile("tools", "endless-tools", slow)}${hostile("prompts", "endless-prompts", slow)}${hostile("resources", "endless-resources", slow)}`,
      );
      box.write(
        "batch.json",
        JSON.stringify(["tools", "prompts", "resources"].map((provider) => ({ provider, tool: "ok" }))),
      );
      const started = performance.now();
      const run = await runHangar(["call", "--json", "batch.json"], box.options());
      expect(performance.now() - started).toBeLessThan(15_000);
      const batch = JSON.parse(run.stdout) as BatchResult;
      expect(batch.results.map((r) => [r.error?.type, r.error?.message])).toEqual([
        [
          "provider_unavailable",
          expect.stringContaining(
            'Cannot start provider "tools": it listed tools in more than 100 pages (hangar reads at most 100 pages, 10000 items and 16 MiB of each list)',
          ),
        ],
        [
          "provider_unavailable",
          expect.stringContaining('Cannot start provider "prompts": it listed prompts in more than 100 pages'),
        ],
        [
          "provider_unavailable",
          expect.stringContaining('Cannot start provider "resources": it listed resources in more than 100 pages'),
        ],
      ]);
    },
    TIMEOUT_MS,
  );
});

describe("issue 9: hostile config files", () => {
  const bomb = aliasBomb();
  const batch = JSON.stringify({ calls: [{ provider: "a", tool: "ok" }] });

  test(
    "issue 9.13: a 7-line YAML alias bomb fails doctor and call at once with a located config error",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", bomb);
      box.write("batch.json", batch);
      for (const args of [["doctor"], ["call", "batch.json"]]) {
        const started = performance.now();
        const run = await runHangar(args, box.options());
        expect(performance.now() - started).toBeLessThan(5000);
        expect(run.code).toBe(args[0] === "doctor" ? 1 : 2);
        expect(run.stdout + run.stderr).toContain(
          "hangar.yaml:2:8: uses YAML aliases (`*name`) that expand to too many values",
        );
      }
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9.14: call_timeout_s: 3000000 is refused at load by call and doctor, naming the maximum",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", `providers:\n${hostile("a", "")}defaults:\n  call_timeout_s: 3000000\n`);
      box.write("batch.json", batch);
      for (const args of [["doctor"], ["call", "batch.json"]]) {
        const run = await runHangar(args, box.options());
        expect(run.code).toBe(args[0] === "doctor" ? 1 : 2);
        expect(run.stdout + run.stderr).toContain(
          "hangar.yaml:4:19: defaults.call_timeout_s expected at most 2147483 seconds",
        );
      }
    },
    TIMEOUT_MS,
  );
});

/** The JSON-RPC lines of a stdio session that initializes and runs one `hangar_call` of demo's echo. */
function echoSession(provider: string): string {
  return stdinOf([
    initializeRequest(),
    INITIALIZED,
    hangarCallRequest(2, [{ provider, tool: "echo", arguments: { message: "hi" } }]),
  ]);
}

describe("issue 9: the catalog cache on a full disk", () => {
  test(
    "issue 9.24: a catalog that cannot be written (file size limit) leaves no temp file behind",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      const cache = join(box.root, "cache");
      // Writes past 1 KiB fail with EFBIG, as on a full disk (SIGXFSZ ignored, so the write just fails).
      const proc = Bun.spawn(["bash", "-c", `trap '' XFSZ; ulimit -f 1; exec "$0" serve`, hangarBinary()], {
        cwd: box.cwd,
        env: { ...box.env, HANGAR_CACHE_DIR: cache },
        stdin: new Blob([echoSession("demo")]),
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
      await proc.exited;
      expect(stdout).toContain("hi");
      expect(stderr).toContain("cannot save the provider's catalog");
      // No temp file is left; what fits (the provider's protocol era, a few bytes) may be saved alone.
      const files = readdirSync(cache);
      expect(files.filter((name) => name.endsWith(".tmp"))).toEqual([]);
      for (const name of files) expect(JSON.parse(readFileSync(join(cache, name), "utf8")).catalog).toBeUndefined();
    },
    TIMEOUT_MS,
  );

  test(
    "issue 9.24: at start, temp files whose writer is gone are removed; a live writer's are kept",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      const cache = join(box.root, "cache");
      mkdirSync(cache);
      const gone = Bun.spawn(["true"]);
      await gone.exited;
      const stale = join(cache, `catalog-demo-0123456789abcdef.json.${gone.pid}.tmp`);
      const live = join(cache, `catalog-demo-0123456789abcdef.json.${process.pid}.tmp`);
      const other = join(cache, "notes.tmp");
      for (const file of [stale, live, other]) writeFileSync(file, "{");
      const run = await runHangar(["serve"], box.options({ HANGAR_CACHE_DIR: cache }, echoSession("demo")));
      expect(run.stdout).toContain("hi");
      expect([stale, live, other].map((file) => existsSync(file))).toEqual([false, true, true]);
    },
    TIMEOUT_MS,
  );
});

describe("a client that goes away mid-request", () => {
  test(
    "is logged at debug as gone, not as hangar failing, and the next client is served",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["demo"]));
      await using http = await startHttpHangar(box, ["--log-level", "debug"]);
      // Headers promising 100 bytes of body, 11 of them sent, then the connection closed.
      const socket = connect(http.port, "127.0.0.1");
      await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
      socket.write(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${http.port}\r\nContent-Type: application/json\r\n` +
          `Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{"jsonrpc":`,
        () => socket.destroy(),
      );
      await waitFor(
        () => http.running.stderr().includes("HTTP client went away mid-request"),
        10_000,
        "the cut request to be logged",
      );
      expect(http.running.stderr()).not.toContain("HTTP request failed");
      const { client } = await http.connect();
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );
});
