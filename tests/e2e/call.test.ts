// `hangar call` end to end: the compiled binary runs the README's demo batch with no config, prints a
// table, the whole result (--json) or a stream (--ndjson), reads stdin, and says which config it used.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { argvOf, demoProvidersYaml, hangarBinary, lines, runHangar, sandbox, startHangar } from "../helpers/e2e.ts";
import { ROOT } from "../helpers/paths.ts";
import { outputOf, waitFor } from "../helpers/processes.ts";

const EXAMPLE = join(ROOT, "examples/batch.json");
const EXAMPLE_CALLS = (await Bun.file(EXAMPLE).json()).calls as { provider: string; tool: string; id?: string }[];
const DEMO_NOTICE = /^No config found .*using the built-in demo providers "demo" and "demo2"$/;
const SUMMARY = /^(\d+) calls, (\d+) succeeded, (\d+) failed in \d+ ms$/;
const TIMEOUT_MS = 20_000;

describe("hangar call with no config", () => {
  test(
    "runs the example batch on the demo providers: one notice on stderr, a row per call and a summary",
    async () => {
      using box = sandbox();
      const run = await runHangar(["call", EXAMPLE], box.options());
      expect(run.code).toBe(0);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(lines(run.stderr)[0]).toMatch(DEMO_NOTICE);
      const out = lines(run.stdout);
      expect(out).toHaveLength(EXAMPLE_CALLS.length + 1);
      EXAMPLE_CALLS.forEach((call, index) => {
        const label = call.id === undefined ? `#${index} ` : `#${index} ${call.id} `;
        const rows = out.filter((row) => row.includes(`${call.provider}/${call.tool} `) && row.includes(label));
        expect(rows).toHaveLength(1);
        expect(rows[0]).toStartWith("ok ");
      });
      expect(out.find((row) => row.includes("demo/add"))).toContain("42");
      expect(out.find((row) => row.includes("demo2/echo"))).toContain("hello from demo2");
      expect(out.at(-1)).toMatch(SUMMARY);
      expect(out.at(-1)).toStartWith("5 calls, 5 succeeded, 0 failed in ");
    },
    TIMEOUT_MS,
  );

  test(
    "--json prints the whole batch result in the contract's shape (docs/contract.md), results in call order",
    async () => {
      using box = sandbox();
      const run = await runHangar(["call", "--json", EXAMPLE], box.options());
      expect(run.code).toBe(0);
      expect(lines(run.stderr)).toEqual([expect.stringMatching(DEMO_NOTICE)]);
      const batch = JSON.parse(run.stdout);
      expect(Object.keys(batch).sort()).toEqual([
        "batch_id",
        "elapsed_ms",
        "failed",
        "ok",
        "results",
        "succeeded",
        "total",
      ]);
      expect(batch).toMatchObject({ ok: true, total: 5, succeeded: 5, failed: 0 });
      expect(batch.batch_id).toBeString();
      expect(batch.batch_id.length).toBeGreaterThan(0);
      expect(batch.elapsed_ms).toBeGreaterThanOrEqual(200);
      expect(batch.results).toHaveLength(EXAMPLE_CALLS.length);
      EXAMPLE_CALLS.forEach((call, index) => {
        const result = batch.results[index];
        const keys = [
          "attempts",
          "elapsed_ms",
          "index",
          "ok",
          "provider",
          "result",
          "tool",
          ...(call.id === undefined ? [] : ["id"]),
        ];
        expect(Object.keys(result).sort()).toEqual(keys.sort());
        expect(result).toMatchObject({ index, provider: call.provider, tool: call.tool, ok: true, attempts: 1 });
        if (call.id !== undefined) expect(result.id).toBe(call.id);
        expect(result.elapsed_ms).toBeNumber();
      });
      expect(batch.results[0].result).toEqual({ content: [{ type: "text", text: "slept 200 ms" }] });
      expect(batch.results[3].result).toEqual({ content: [{ type: "text", text: "hello from demo2" }] });
      expect(batch.results[4].result).toEqual({
        content: [{ type: "text", text: "42" }],
        structuredContent: { sum: 42 },
      });
    },
    TIMEOUT_MS,
  );

  test(
    "--ndjson prints one JSON line per call, each as soon as it finishes, and nothing else on stdout",
    async () => {
      using box = sandbox();
      const file = box.write(
        "stream.json",
        JSON.stringify({
          calls: [
            { provider: "demo", tool: "sleep", arguments: { ms: 2000 }, id: "slow" },
            { provider: "demo2", tool: "echo", arguments: { message: "fast" }, id: "fast" },
          ],
        }),
      );
      await using hangar = startHangar(["call", "--ndjson", file], box.options());
      await waitFor(() => hangar.stdout().includes("\n"), 10_000, "the first result line");
      expect(hangar.proc.exitCode).toBeNull(); // The slow call is still running.
      expect(JSON.parse(lines(hangar.stdout())[0]!)).toMatchObject({ index: 1, id: "fast", ok: true });
      const run = await hangar.done;
      expect(run.code).toBe(0);
      const results = lines(run.stdout).map((line) => JSON.parse(line));
      expect(results.map((r) => r.id)).toEqual(["fast", "slow"]);
      expect(results[1]).toMatchObject({ index: 0, provider: "demo", tool: "sleep", ok: true, attempts: 1 });
      expect(results[1].result).toEqual({ content: [{ type: "text", text: "slept 2000 ms" }] });
    },
    TIMEOUT_MS,
  );

  test(
    "--ndjson on the example batch prints exactly one parseable line per call",
    async () => {
      using box = sandbox();
      const run = await runHangar(["call", "--ndjson", EXAMPLE], box.options());
      expect(run.code).toBe(0);
      const results = lines(run.stdout).map((line) => JSON.parse(line));
      expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
      for (const result of results) {
        expect(result).toMatchObject({
          provider: EXAMPLE_CALLS[result.index]!.provider,
          tool: EXAMPLE_CALLS[result.index]!.tool,
          ok: true,
        });
      }
    },
    TIMEOUT_MS,
  );

  test("--json and --ndjson together are a usage error (exit 2) and nothing runs", async () => {
    using box = sandbox();
    const run = await runHangar(["call", "--json", "--ndjson", EXAMPLE], box.options());
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(lines(run.stderr)).toEqual(["hangar: Choose one of --json and --ndjson"]);
  });

  test(
    "`hangar call -` reads a bare array of calls from stdin",
    async () => {
      using box = sandbox();
      const calls = [
        { provider: "demo", tool: "add", arguments: { a: 1, b: 2 } },
        { provider: "demo2", tool: "echo", arguments: { message: "from stdin" }, id: "piped" },
      ];
      const run = await runHangar(["call", "--json", "-"], box.options({}, JSON.stringify(calls)));
      expect(run.code).toBe(0);
      const batch = JSON.parse(run.stdout);
      expect(batch).toMatchObject({ ok: true, total: 2, succeeded: 2 });
      expect(batch.results[0]).toMatchObject({
        index: 0,
        provider: "demo",
        tool: "add",
        result: { structuredContent: { sum: 3 } },
      });
      expect(batch.results[1]).toMatchObject({
        index: 1,
        id: "piped",
        result: { content: [{ type: "text", text: "from stdin" }] },
      });
    },
    TIMEOUT_MS,
  );
});

describe("hangar call exit codes and failures", () => {
  test(
    "a batch file with an unknown top-level key is reported, not ignored (a user wrote it; issue 9 item 19)",
    async () => {
      using box = sandbox();
      const file = box.write(
        "typo.json",
        JSON.stringify({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "x" } }], fail_fsat: true }),
      );
      const run = await runHangar(["call", file], box.options());
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("fail_fsat");
      expect(run.stdout).toBe("");
    },
    TIMEOUT_MS,
  );

  test(
    "a failing call makes the batch exit 1, its row shows tool_error and the other calls still succeed",
    async () => {
      using box = sandbox();
      const file = box.write(
        "fail.json",
        JSON.stringify([
          { provider: "demo", tool: "fail", arguments: { message: "boom on purpose" } },
          { provider: "demo2", tool: "echo", arguments: { message: "still fine" } },
        ]),
      );
      const run = await runHangar(["call", file], box.options());
      expect(run.code).toBe(1);
      const out = lines(run.stdout);
      const failRow = out.find((row) => row.includes("demo/fail"));
      expect(failRow).toStartWith("FAIL");
      expect(failRow).toContain("tool_error: boom on purpose");
      expect(out.find((row) => row.includes("demo2/echo"))).toStartWith("ok ");
      expect(out.at(-1)).toStartWith("2 calls, 1 succeeded, 1 failed in ");
    },
    TIMEOUT_MS,
  );

  test(
    "--json keeps a failed tool's content beside its tool_error",
    async () => {
      using box = sandbox();
      const run = await runHangar(["call", "--json", "-"], box.options({}, '[{"provider":"demo","tool":"fail"}]'));
      expect(run.code).toBe(1);
      const batch = JSON.parse(run.stdout);
      expect(batch).toMatchObject({ ok: false, total: 1, succeeded: 0, failed: 1 });
      expect(batch.results[0]).toMatchObject({
        ok: false,
        error: { type: "tool_error", message: "requested failure", retryable: false },
        result: { isError: true, content: [{ type: "text", text: "requested failure" }] },
      });
    },
    TIMEOUT_MS,
  );
});

describe("hangar call finds its config", () => {
  test(
    "./hangar.yaml in the working directory is used instead of the demo providers",
    async () => {
      using box = sandbox();
      box.write("hangar.yaml", demoProvidersYaml(["local"]));
      const run = await runHangar(["call", "--json", "-"], box.options({}, '[{"provider":"local","tool":"info"}]'));
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      expect(JSON.parse(run.stdout).results[0].result.structuredContent).toMatchObject({ name: "local", calls: 1 });
    },
    TIMEOUT_MS,
  );

  test(
    "$HANGAR_CONFIG names the config file, and the demo providers are not there then",
    async () => {
      using box = sandbox();
      const path = box.write("elsewhere.yaml", demoProvidersYaml(["fromenv"]));
      const calls = '[{"provider":"fromenv","tool":"info"},{"provider":"demo","tool":"info"}]';
      const run = await runHangar(["call", "--json", "-"], box.options({ HANGAR_CONFIG: path }, calls));
      expect(run.code).toBe(1);
      const [fromEnv, demo] = JSON.parse(run.stdout).results;
      expect(fromEnv).toMatchObject({ ok: true, result: { structuredContent: { name: "fromenv" } } });
      expect(demo).toMatchObject({ ok: false, error: { type: "unknown_provider" } });
    },
    TIMEOUT_MS,
  );
});

describe("hangar call whose reader goes away", () => {
  test(
    "`hangar call --ndjson | head -1` prints one line, says nothing about the closed pipe, and hangar exits",
    async () => {
      using box = sandbox();
      const batch = box.write("batch.json", readFileSync(EXAMPLE, "utf8"));
      const script = `${JSON.stringify(hangarBinary())} call ${JSON.stringify(batch)} --ndjson | head -1`;
      const proc = Bun.spawn(["bash", "-c", script], { cwd: box.cwd, env: box.env, stdout: "pipe", stderr: "pipe" });
      const { stdout, stderr, code } = await outputOf(proc);
      expect(code).toBe(0);
      expect(lines(stdout)).toHaveLength(1);
      expect(JSON.parse(stdout).ok).toBe(true);
      expect(lines(stderr)).toEqual([expect.stringMatching(DEMO_NOTICE)]);
      // Regression: hangar itself once kept running (spinning) after the reader went away.
      const stillRunning = () =>
        readdirSync("/proc").filter((pid) => /^\d+$/.test(pid) && argvOf(Number(pid)).includes(batch));
      await waitFor(() => stillRunning().length === 0, 10_000, "hangar to exit after its reader went away");
    },
    TIMEOUT_MS,
  );
});

describe("hangar call's table", () => {
  test(
    "issue 9 #33: long provider, tool and id names widen the columns so that every row lines up",
    async () => {
      using box = sandbox();
      const long = "a-provider-with-a-rather-long-id";
      box.write("hangar.yaml", demoProvidersYaml([long, "d"]));
      const batch = JSON.stringify([
        { provider: long, tool: "echo", arguments: { message: "x" }, id: "a-rather-long-label" },
        { provider: "d", tool: "add", arguments: { a: 1, b: 2 } },
        {
          provider: "d",
          tool: "echo",
          arguments: { message: "y" },
          id: "an-id-far-too-long-for-any-table-column-at-all",
        },
      ]);
      const run = await runHangar(["call", "-"], box.options({}, batch));
      expect(run.code).toBe(0);
      const rows = lines(run.stdout).slice(0, 3);
      const msAt = rows.map((row) => row.search(/\d+ ms {2}/) + row.match(/\d+ ms {2}/)![0].length);
      expect(new Set(msAt).size).toBe(1);
      expect(rows.find((row) => row.includes(`${long}/echo`))).toContain("#0 a-rather-long-label");
      expect(rows.find((row) => row.includes("#2 "))).toContain("#2 an-id-far-too-long-for-a… ");
    },
    TIMEOUT_MS,
  );
});
