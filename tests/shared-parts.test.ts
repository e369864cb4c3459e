// The parts of the shared daemon that need no process: the bridge's response-id scan, the daemon key,
// the start lock, the config keys, and how `hangar status` prints a daemon.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeDaemon } from "../src/cli/commands/daemons.ts";
import { PidLock } from "../src/runtime/index.ts";
import { daemonKey, variablesUsed } from "../src/serve/shared/daemon-key.ts";
import { ResponseIds } from "../src/serve/shared/response-ids.ts";
import { parse, problemsOf } from "./fixtures/config/helpers.ts";

function idsOf(chunks: readonly string[]): string[] {
  const found: string[] = [];
  const ids = new ResponseIds((id) => found.push(id));
  for (const chunk of chunks) ids.feed(Buffer.from(chunk));
  return found;
}

describe("the bridge's response-id scan", () => {
  test("finds the id at the head of each response line, numbers and strings alike", () => {
    const text = `{"id":1,"result":{}}\n{"method":"notifications/progress","params":{"id":9}}\n{"id":"a,\\"b","error":{}}\n`;
    expect(idsOf([text])).toEqual(["1", '"a,\\"b"']);
  });

  test("finds ids whose line head is split over chunks, byte by byte", () => {
    const text = `{"id":12,"result":{"x":"${"y".repeat(1000)}"}}\n{"id":34,"result":{}}\n`;
    expect(idsOf([...text])).toEqual(["12", "34"]);
  });

  test("never looks inside a line: an id-like text in a large result is not taken for a response", () => {
    const text = `{"method":"x","params":{"text":"\\n{\\"id\\":5"}}\n{"jsonrpc":"2.0","id":7,"result":{}}\n`;
    expect(idsOf([text])).toEqual(["7"]);
  });

  test("also takes a response in the SDK's key order, but never a request the daemon sends with an id", () => {
    const text =
      '{"jsonrpc":"2.0","id":3,"result":{}}\n{"jsonrpc":"2.0","id":4,"method":"sampling/createMessage"}\n' +
      '{"jsonrpc":"2.0","id":"x","error":{"code":1}}\n';
    expect(idsOf([text])).toEqual(["3", '"x"']);
    expect(idsOf([...text])).toEqual(["3", '"x"']);
  });

  test("a line that is not done when the daemon dies leaves the scan mid-line", () => {
    const ids = new ResponseIds(() => {});
    ids.feed(Buffer.from('{"id":1,"resu'));
    expect(ids.atLineStart).toBe(false);
    ids.feed(Buffer.from('lt":{}}\n'));
    expect(ids.atLineStart).toBe(true);
  });
});

describe("the daemon key", () => {
  const base = {
    configPath: "/home/u/hangar.yaml",
    configText: "providers:\n  - id: gh\n    env: { T: ${GH_TOKEN} }\n",
    env: { GH_TOKEN: "one", OTHER: "x", HOME: "/home/u" },
    cwd: "/home/u/project",
    selfCommand: ["/usr/bin/hangar"],
  };

  test("differs when the config path, a variable it uses, the working directory or hangar differ", () => {
    const key = daemonKey(base);
    expect(daemonKey({ ...base, configPath: "/other/hangar.yaml" })).not.toBe(key);
    expect(daemonKey({ ...base, configText: `${base.configText}    cwd: \${OTHER}\n` })).not.toBe(key);
    expect(daemonKey({ ...base, env: { ...base.env, GH_TOKEN: "two" } })).not.toBe(key);
    expect(daemonKey({ ...base, cwd: "/home/u/other" })).not.toBe(key);
    expect(daemonKey({ ...base, selfCommand: ["/opt/hangar"] })).not.toBe(key);
    expect(daemonKey({ ...base, configPath: undefined })).not.toBe(key);
  });

  test("is the same when only a variable the config does not use differs", () => {
    expect(daemonKey({ ...base, env: { ...base.env, OTHER: "y" } })).toBe(daemonKey(base));
  });

  test("is the same for an edited config that uses the same variables: the daemon reloads it in place", () => {
    const edited = `${base.configText}  - id: more\n    command: [x]\n    env: { T: \${GH_TOKEN} }\n`;
    expect(daemonKey({ ...base, configText: edited })).toBe(daemonKey(base));
  });

  test("the variables used are the `${NAME}`s, defaults included, and never an escaped `$${`", () => {
    expect(variablesUsed("a: ${B}\nc: ${D:-x}\ne: $${F}\ng: ${B}")).toEqual(["B", "D"]);
  });
});

describe("the start lock", () => {
  test("one holder at a time; a lock whose holder is dead is taken over", () => {
    const dir = mkdtempSync(join(tmpdir(), "hangar-lock-"));
    try {
      const path = join(dir, "k.lock");
      const lock = new PidLock(path);
      expect(lock.take()).toBe(true);
      expect(new PidLock(path).take()).toBe(false);
      lock.release();
      expect(existsSync(path)).toBe(false);
      writeFileSync(path, "2147483646");
      expect(new PidLock(path).take()).toBe(true);
      // A holder's release never removes a lock another process took over (it was stale).
      const late = new PidLock(path);
      writeFileSync(path, `${process.pid} another-host taken-over`);
      late.release();
      expect(existsSync(path)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the shared config keys", () => {
  test("shared defaults to off and daemon_idle_s to 300 s", () => {
    const config = parse("providers: []\n");
    expect(config.shared).toBe(false);
    expect(config.daemonIdleMs).toBe(300_000);
  });

  test("shared: true and daemon_idle_s are read; a wrong type is located", () => {
    const config = parse("shared: true\ndaemon_idle_s: 5\nproviders: []\n");
    expect(config.shared).toBe(true);
    expect(config.daemonIdleMs).toBe(5000);
    expect(problemsOf('shared: "yes"\n')).toContain("shared");
  });
});

describe("hangar status as text", () => {
  test("the providers' id, state and pid columns line up whatever the lengths of the names", () => {
    const provider = { in_flight: 0, calls: 0, starts: 0 };
    const text = describeDaemon({
      answered: true,
      status: {
        pid: 4242,
        key: "k",
        socket: "/run/hangar/k.sock",
        config: "/home/me/hangar.yaml",
        cwd: "/home/me",
        version: "1.0.0",
        started_at: "2026-01-01T00:00:00.000Z",
        draining: null,
        idle_exit_s: 300,
        clients: [],
        providers: [
          { id: "demo", state: "ready", pid: 7, ...provider, calls: 3, starts: 1 },
          { id: "demo2", state: "cold", ...provider },
          { id: "files", state: "starting", pid: 12345, ...provider, starts: 1 },
        ],
      },
    });
    const rows = text.split("\n").slice(-4, -1);
    expect(rows).toEqual([
      "    demo   ready     pid 7      0 running, 3 calls, 1 starts",
      "    demo2  cold                 0 running, 0 calls, 0 starts",
      "    files  starting  pid 12345  0 running, 0 calls, 1 starts",
    ]);
    expect(new Set(rows.map((row) => row.indexOf(" running")))).toHaveLength(1);
  });
});
