// Issue 14 items 1 and 2 through the compiled binary: dependent calls in one hangar_call (a graph, not a
// list), dependency failures, cycles refused before anything runs, pointers into text-JSON answers,
// `select` and truncation with hangar_result returning the rest, over MCP, POST /v1/call and `hangar call`.
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { BatchResult } from "../../src/gateway/index.ts";
import { demoProvidersYaml, hangarBinary, lines, runHangar, type Sandbox, sandbox } from "../helpers/e2e.ts";
import { startHttpHangar } from "../helpers/http-serve.ts";
import { fixture } from "../helpers/paths.ts";
import { hangarCall, type ServeSession, serve, textOf } from "../helpers/serve.ts";

const TIMEOUT_MS = 30_000;
const ref = (text: string) => ({ "$hangar.ref": text });

/** A config with the json fixture as `j` (logging each call's start and end) and the demo provider as `demo`. */
function configure(box: Sandbox): string {
  const log = join(box.root, "json.log");
  writeFileSync(log, "");
  box.write(
    "hangar.yaml",
    demoProvidersYaml(
      ["demo"],
      `providers:\n  - ${JSON.stringify({ id: "j", command: fixture("json-server.ts"), env: { JSON_LOG: log } })}\n`,
    ).replace(/providers:\n(.*\n)providers:\n/, "providers:\n$1"),
  );
  return log;
}
const logOf = (file: string) => lines(readFileSync(file, "utf8"));
/** The size as JSON of the fixture's `text` answer of `size` bytes. */
const textBytes = (size: number) => JSON.stringify({ content: [{ type: "text", text: "x".repeat(size) }] }).length;

/** A batch through hangar_call with a progress token; the progress messages say in which order calls finished. */
async function callWithProgress(
  session: ServeSession,
  args: Record<string, unknown>,
): Promise<{ batch: BatchResult; result: CallToolResult; finished: string[] }> {
  const finished: string[] = [];
  const result = (await session.client.callTool({ name: "hangar_call", arguments: args }, undefined, {
    onprogress: (progress) => finished.push(progress.message ?? ""),
    timeout: TIMEOUT_MS,
  })) as CallToolResult;
  return { batch: result.structuredContent as unknown as BatchResult, result, finished };
}

describe("Dependent calls in one hangar_call (issue 14)", () => {
  test(
    "a three-step chain and an independent call run in one batch: each step after the one it reads, the independent call first",
    async () => {
      using box = sandbox();
      const log = configure(box);
      await using session = await serve(box);
      // Both providers warm, so what is measured is the graph, not two cold starts.
      await hangarCall(session, [
        { provider: "j", tool: "json", arguments: { value: {} } },
        { provider: "demo", tool: "echo", arguments: { message: "warm" } },
      ]);
      writeFileSync(log, "");
      const { batch, finished } = await callWithProgress(session, {
        calls: [
          {
            id: "search",
            provider: "j",
            tool: "json",
            arguments: { value: { items: [{ id: "repo-7" }, { id: "repo-8" }] }, delay_ms: 400, label: "search" },
          },
          {
            id: "repo",
            provider: "j",
            tool: "json",
            // Answers only with JSON text (no structuredContent): the next step points into that text.
            arguments: {
              value: { owner: { login: ref("search#/items/0/id") }, all: ref("search#/items") },
              delay_ms: 200,
              as: "text",
              label: "repo",
            },
          },
          {
            id: "greet",
            provider: "j",
            tool: "json",
            arguments: { value: { hello: ref("repo#/owner/login"), second: ref("repo#/all/1/id") }, label: "greet" },
          },
          { id: "side", provider: "demo", tool: "sleep", arguments: { ms: 50 } },
        ],
      });
      expect(batch).toMatchObject({ ok: true, total: 4, succeeded: 4 });
      expect(batch.results[2]!.result?.structuredContent).toEqual({ hello: "repo-7", second: "repo-8" });
      expect(JSON.parse(textOf(batch.results[1]!.result))).toEqual({
        owner: { login: "repo-7" },
        all: [{ id: "repo-7" }, { id: "repo-8" }],
      });
      // The independent call finished first; the chain in its order, each step after the one it reads.
      expect(finished).toEqual(["demo/sleep ok", "j/json ok", "j/json ok", "j/json ok"]);
      expect(logOf(log)).toEqual([
        "json start search",
        "json end search",
        "json start repo",
        "json end repo",
        "json start greet",
        "json end greet",
      ]);
      expect(batch.elapsed_ms).toBeGreaterThanOrEqual(600);
    },
    TIMEOUT_MS,
  );

  test(
    "a failed call fails the calls that depend on it, transitively, with dependency_failed naming the call and pointer; the others run",
    async () => {
      using box = sandbox();
      configure(box);
      await using session = await serve(box);
      const { batch } = await hangarCall(session, [
        { id: "broken", provider: "j", tool: "fail" },
        { id: "next", provider: "j", tool: "json", arguments: { value: { x: ref("broken#/x") } } },
        { id: "last", provider: "j", tool: "json", arguments: { value: { y: ref("next#/x") } } },
        { id: "fine", provider: "demo", tool: "echo", arguments: { message: "plain text" } },
        { provider: "demo", tool: "echo", arguments: { message: ref("fine") } },
        { provider: "demo", tool: "echo", arguments: { message: ref("fine#/nothing") } },
      ]);
      expect(batch).toMatchObject({ ok: false, total: 6, succeeded: 2, failed: 4 });
      expect(batch.results.map((r) => r.error?.type)).toEqual([
        "tool_error",
        "dependency_failed",
        "dependency_failed",
        undefined,
        undefined,
        "dependency_failed",
      ]);
      expect(batch.results[1]!.error!.message).toBe(
        'arguments.value.x ("broken#/x") depends on call 0 ("broken"), which failed (tool_error)',
      );
      expect(batch.results[2]!.error!.message).toContain(
        'depends on call 1 ("next"), which failed (dependency_failed)',
      );
      expect(batch.results[1]!.attempts).toBe(0);
      // A plain-text answer is its own document: the whole-document pointer reads it, any other finds nothing.
      expect(textOf(batch.results[4]!.result)).toBe("plain text");
      expect(batch.results[5]!.error!.message).toContain('the result of call 3 ("fine") has nothing at "/nothing"');
    },
    TIMEOUT_MS,
  );

  test(
    "a cycle, an unknown id or a repeated referenced id is refused before anything runs",
    async () => {
      using box = sandbox();
      const log = configure(box);
      await using session = await serve(box);
      const refuse = async (calls: Record<string, unknown>[]) => {
        const { result } = await hangarCall(session, calls);
        expect(result.isError).toBe(true);
        return textOf(result);
      };
      const json = (id: string, value: unknown) => ({ id, provider: "j", tool: "json", arguments: { value } });
      expect(await refuse([json("a", ref("c")), json("b", ref("a#/x")), json("c", ref("b"))])).toContain(
        'calls 0 ("a") → 2 ("c") → 1 ("b") → 0 ("a") reference each other in a cycle',
      );
      expect(await refuse([json("a", ref("nobody#/x"))])).toContain('no call has the id "nobody"');
      expect(await refuse([json("a", 1), json("a", 2), json("b", ref("a"))])).toContain(
        'the id "a" is used by calls 0, 1',
      );
      expect(logOf(log)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    "$hangar.literal sends an object holding the marker key as it is",
    async () => {
      using box = sandbox();
      configure(box);
      await using session = await serve(box);
      const { batch } = await hangarCall(session, [
        { provider: "j", tool: "json", arguments: { value: { "$hangar.literal": { "$hangar.ref": "not#/a/ref" } } } },
      ]);
      expect(batch.results[0]!.result?.structuredContent).toEqual({ "$hangar.ref": "not#/a/ref" });
    },
    TIMEOUT_MS,
  );

  test(
    "POST /v1/call and hangar call run dependent calls too",
    async () => {
      using box = sandbox();
      const chain = {
        calls: [
          { id: "sum", provider: "demo", tool: "add", arguments: { a: 40, b: 2 } },
          { id: "wait", provider: "demo", tool: "sleep", arguments: { ms: ref("sum#/sum") } },
          { provider: "demo2", tool: "echo", arguments: { message: ref("wait") } },
        ],
      };
      const file = box.write("chain.json", JSON.stringify(chain));
      const run = await runHangar(["call", "--json", file], box.options());
      expect(run.code).toBe(0);
      const batch = JSON.parse(run.stdout) as BatchResult;
      expect(textOf(batch.results[2]!.result)).toBe("slept 42 ms");

      await using hangar = await startHttpHangar(box);
      const response = await fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(chain),
      });
      expect(response.status).toBe(200);
      expect(textOf(((await response.json()) as BatchResult).results[2]!.result)).toBe("slept 42 ms");
      const cyclic = await fetch(`${hangar.base}/v1/call`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          calls: [{ id: "a", provider: "demo", tool: "echo", arguments: { message: ref("a") } }],
        }),
      });
      expect(cyclic.status).toBe(400);
      expect(((await cyclic.json()) as { error: string }).error).toContain("cycle");
      expect(hangarBinary()).toBeString();
    },
    TIMEOUT_MS,
  );
});

describe("Trimmed results (issue 14)", () => {
  test(
    "select returns only the asked parts, a large result is cut to the batch's cap, and hangar_result returns the rest",
    async () => {
      using box = sandbox();
      configure(box);
      await using session = await serve(box);
      const items = Array.from({ length: 50 }, (_, i) => ({
        id: i,
        name: `item ${i}`,
        body: "lorem ipsum ".repeat(20),
      }));
      const { batch } = await hangarCall(session, [
        {
          provider: "j",
          tool: "json",
          arguments: { value: { items, total: 50 } },
          select: ["/total", "/items/3/name", "/nope"],
        },
        { provider: "j", tool: "text", arguments: { size: 200_000 } },
        { provider: "j", tool: "text", arguments: { size: 100 } },
        { provider: "j", tool: "text", arguments: { size: 5_000 }, max_result_bytes: 1_000 },
      ]);
      expect(batch.ok).toBe(true);
      expect(batch.results[0]!.selected).toEqual({ "/total": 50, "/items/3/name": "item 3" });
      expect(batch.results[0]!.result).toBeUndefined();
      expect(batch.results[1]).toMatchObject({ truncated: true, original_bytes: textBytes(200_000) });
      expect(batch.results[2]!.truncated).toBeUndefined();
      expect(textOf(batch.results[2]!.result)).toBe("x".repeat(100));
      expect(batch.results[3]).toMatchObject({ truncated: true, original_bytes: textBytes(5_000) });
      expect(JSON.stringify(batch.results[3]!.result).length).toBeLessThanOrEqual(1_000);
      // The calls without their own limit shared the default 48 KiB.
      const shared = [0, 1, 2].map(
        (i) => JSON.stringify(batch.results[i]!.selected ?? batch.results[i]!.result).length,
      );
      expect(shared.reduce((a, b) => a + b)).toBeLessThanOrEqual(48 * 1024);
      // Max-min: the small ones stayed whole, the large one got what they left.
      expect(shared[1]!).toBeGreaterThan(40 * 1024);

      const whole = async (index: number) =>
        (await session.client.callTool({
          name: "hangar_result",
          arguments: { batch_id: batch.batch_id, index },
        })) as CallToolResult;
      expect(textOf(await whole(1))).toBe("x".repeat(200_000));
      expect((await whole(0)).structuredContent).toEqual({ items, total: 50 });
      expect(textOf(await whole(3))).toBe("x".repeat(5_000));
      const untrimmed = await whole(2);
      expect(untrimmed.isError).toBe(true);
      expect(textOf(untrimmed)).toContain("keeps only results that hangar_call cut or selected");
    },
    TIMEOUT_MS,
  );

  test(
    "hangar call and POST /v1/call leave results untouched unless the batch asks",
    async () => {
      using box = sandbox();
      configure(box);
      const big = { calls: [{ provider: "j", tool: "text", arguments: { size: 200_000 } }] };
      const run = await runHangar(["call", "--json", box.write("big.json", JSON.stringify(big))], box.options());
      expect(run.code).toBe(0);
      const batch = JSON.parse(run.stdout) as BatchResult;
      expect(batch.results[0]!.truncated).toBeUndefined();
      expect(textOf(batch.results[0]!.result)).toHaveLength(200_000);

      await using hangar = await startHttpHangar(box);
      const post = async (body: unknown) =>
        (await (
          await fetch(`${hangar.base}/v1/call`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
          })
        ).json()) as BatchResult;
      expect(textOf((await post(big)).results[0]!.result)).toHaveLength(200_000);
      const capped = await post({ ...big, max_result_bytes: 1_000 });
      expect(capped.results[0]).toMatchObject({ truncated: true, original_bytes: textBytes(200_000) });
    },
    TIMEOUT_MS,
  );
});
