import { afterEach, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Gateway } from "../src/gateway/index.ts";
import { createLogger, type LoggerOptions } from "../src/observability/log.ts";
import { logRecorder } from "../src/observability/log-recorder.ts";
import { noopRecorder } from "../src/observability/recorder.ts";
import { configOf, demoProvider, stdioProvider } from "./helpers/providers.ts";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A logger writing to a temp file; `read()` returns what it wrote so far. */
function fileLogger(options: LoggerOptions = {}) {
  const path = join(mkdtempSync(join(tmpdir(), "hangar-logs-")), "log");
  const fd = openSync(path, "w");
  cleanup.push(() => closeSync(fd));
  const logger = createLogger({ level: "debug", pretty: false, sync: true, ...options, fd });
  return { logger, read: () => readFileSync(path, "utf8") };
}

const SECRET = "hunter2-s3cret";

describe("Logs", () => {
  test("A logger writes its lines at or above its level and none below; a child carries its bindings and may set its own level (issue 11: pino loads at the first line)", () => {
    const { logger, read } = fileLogger({ level: "warn" });
    logger.info("not written");
    expect(read()).toBe("");
    expect(logger.isLevelEnabled("info")).toBe(false);
    expect(logger.isLevelEnabled("error")).toBe(true);
    const child = logger.child({ batch_id: "b1" });
    child.debug("not written either");
    child.warn({ provider: "demo" }, "written");
    logger.child({ call_id: "c1" }, { level: "debug" }).debug("written at debug");
    const lines = read()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(
      lines.map(({ level, msg, batch_id, call_id, provider }) => ({ level, msg, batch_id, call_id, provider })),
    ).toEqual([
      { level: 40, msg: "written", batch_id: "b1", call_id: undefined, provider: "demo" },
      { level: 20, msg: "written at debug", batch_id: undefined, call_id: "c1", provider: undefined },
    ]);
  });

  test("Every line about a batch carries its batch_id, and every line about a call its call_id", async () => {
    const { logger, read } = fileLogger();
    const gateway = new Gateway(configOf([demoProvider("demo")]), { logger, recorder: logRecorder(logger) });
    cleanup.push(() => gateway.close());
    const batch = await gateway.run({
      calls: [
        { provider: "demo", tool: "echo", arguments: { message: "a" } },
        { provider: "demo", tool: "fail", arguments: { message: "broken on purpose" } },
      ],
    });
    const lines = read()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const batchLines = lines.filter((line) => String(line.msg).startsWith("batch "));
    const callLines = lines.filter((line) => String(line.msg).startsWith("call "));
    expect(batchLines.map((line) => line.msg)).toEqual(["batch started", "batch finished"]);
    expect(batchLines.every((line) => line.batch_id === batch.batch_id)).toBe(true);
    expect(callLines).toHaveLength(2);
    for (const line of callLines) {
      expect(line.batch_id).toBe(batch.batch_id);
      expect(line.call_id).toMatch(new RegExp(`^${batch.batch_id}:[01]$`));
    }
    const failed = callLines.find((line) => line.msg === "call failed")!;
    expect(failed).toMatchObject({
      call_id: `${batch.batch_id}:1`,
      provider: "demo",
      tool: "fail",
      error_type: "tool_error",
      level: 30,
    });
  });

  test("At info, a call made by name that succeeds makes no child logger; one that fails logs with its batch_id and call_id", async () => {
    const { logger, read } = fileLogger({ level: "info" });
    let children = 0;
    const counted = new Proxy(logger, {
      get: (target, key, receiver) =>
        key === "child"
          ? (...args: Parameters<typeof logger.child>) => {
              children++;
              return target.child(...args);
            }
          : Reflect.get(target, key, receiver),
    });
    const gateway = new Gateway(configOf([demoProvider("demo")]), { logger, recorder: logRecorder(counted) });
    cleanup.push(() => gateway.close());
    for (let i = 0; i < 3; i++)
      expect((await gateway.callOne({ provider: "demo", tool: "echo", arguments: { message: "x" } })).ok).toBe(true);
    const callLines = () =>
      read()
        .trim()
        .split("\n")
        .map((text) => JSON.parse(text) as Record<string, unknown>)
        .filter((line) => /^(call|batch) /.test(String(line.msg)));
    expect(children).toBe(0);
    expect(callLines()).toEqual([]);
    const failed = await gateway.callOne({ provider: "demo", tool: "fail", arguments: { message: "no" } });
    expect(failed.ok).toBe(false);
    expect(children).toBe(1);
    const lines = callLines();
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({ msg: "call failed", tool: "fail", error_type: "tool_error", level: 30 });
    expect(line.batch_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.call_id).toBe(`${line.batch_id}:0`);
  });

  test("At the default level (warn) no batch or call lines are written, and the recorder is a no-op", async () => {
    const { logger, read } = fileLogger({ level: "warn" });
    expect(logRecorder(logger)).toBe(noopRecorder);
    const gateway = new Gateway(configOf([demoProvider("demo")]), { logger, recorder: logRecorder(logger) });
    cleanup.push(() => gateway.close());
    await gateway.run({ calls: [{ provider: "demo", tool: "fail", arguments: { message: "x" } }] });
    expect(read()).toBe("");
  });

  test("Secrets in env, headers, authorization and token fields are redacted, at the top level and one level down", () => {
    const { logger, read } = fileLogger();
    logger.info(
      {
        env: { API_KEY: SECRET },
        headers: { Authorization: `Bearer ${SECRET}` },
        authorization: SECRET,
        token: SECRET,
        provider: { id: "github", env: { GITHUB_TOKEN: SECRET }, headers: { "x-api-key": SECRET }, token: SECRET },
      },
      "provider config",
    );
    const text = read();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toMatchObject({
      env: "[redacted]",
      provider: { id: "github", env: "[redacted]", headers: "[redacted]" },
    });
  });

  test("A provider's secret env never reaches the logs of a debug-level run", async () => {
    const { logger, read } = fileLogger({ level: "trace" });
    const provider = demoProvider("demo");
    const withSecret = {
      ...provider,
      transport: { ...provider.transport, env: { DEMO_TOKEN: SECRET } },
    } as typeof provider;
    const gateway = new Gateway(configOf([withSecret]), { logger, recorder: logRecorder(logger) });
    cleanup.push(() => gateway.close());
    expect((await gateway.run({ calls: [{ provider: "demo", tool: "echo", arguments: { message: "x" } }] })).ok).toBe(
      true,
    );
    await gateway.close();
    expect(read()).toContain("provider started");
    expect(read()).not.toContain(SECRET);
  });

  test("A provider that fails to start is logged once, with its error and the whole milliseconds to its next try", async () => {
    const { logger, read } = fileLogger({ level: "warn" });
    const broken = stdioProvider("broken", ["sh", "-c", "echo boom >&2; exit 3"]);
    const gateway = new Gateway(configOf([broken]), { logger, recorder: noopRecorder });
    cleanup.push(() => gateway.close());
    const result = await gateway.run({ calls: [{ provider: "broken", tool: "x" }] });
    expect(result.results[0]!.error!.type).toBe("provider_unavailable");
    const lines = read()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const failed = lines.filter((line) => line.msg === "provider failed to start");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ provider: "broken", err: expect.stringContaining("boom") });
    expect(Number.isInteger(failed[0].retry_in_ms)).toBe(true);
    expect(failed[0].retry_in_ms).toBeGreaterThan(0);
  });

  test("Pretty logs (for a terminal) are human-readable lines written synchronously, secrets still redacted", () => {
    const { logger, read } = fileLogger({ pretty: true, level: "info" });
    logger.info({ batch_id: "b1", token: SECRET }, "batch started");
    const text = read();
    expect(text).toContain("INFO");
    expect(text).toContain("batch started");
    expect(text).toContain("b1");
    expect(text).not.toContain(SECRET);
    expect(() => JSON.parse(text)).toThrow();
  });
});
