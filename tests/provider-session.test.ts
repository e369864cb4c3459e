// Issue 11: `hangar serve` keeps its providers in its own session (each still leading a process group of
// its own), where sessions decide scheduling: on Linux with autogroups on, Bun's `detached` (`setsid()`)
// put each provider in an autogroup of its own, and under load hangar and its provider preempted each
// other message by message (bench/README.md, "stop 11").
import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSystemSpawner } from "../src/providers/index.ts";
import { demoProviderPid, demoProvidersYaml, sandbox } from "./helpers/e2e.ts";
import { startHttpHangar } from "./helpers/http-serve.ts";
import { isAlive, waitFor } from "./helpers/processes.ts";
import { serve, textOf } from "./helpers/serve.ts";

const autogroups =
  process.platform === "linux" &&
  existsSync("/proc/sys/kernel/sched_autogroup_enabled") &&
  readFileSync("/proc/sys/kernel/sched_autogroup_enabled", "utf8").trim() === "1";

/** The process group and session of `pid` (Linux: /proc/<pid>/stat). */
function groupOf(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

/** A temp folder for a test's run registry and scripts, removed after. */
function tempDir(): { dir: string } & Disposable {
  const dir = mkdtempSync(join(tmpdir(), "hangar-session-"));
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

describe.skipIf(!autogroups)("Issue 11: providers in hangar's session", () => {
  test("A provider spawned in hangar's session leads a process group of its own there, with its environment, and its whole group is stopped", async () => {
    using temp = tempDir();
    const spawner = createSystemSpawner({ session: "hangar", runDir: join(temp.dir, "run") });
    const child = spawner({
      providerId: "p",
      command: "/bin/sh",
      // A grandchild in the group, then the leader's own pid and environment on stdout.
      args: ["-c", 'sleep 30 & echo "$! $$ $MARK"; wait'],
      env: { PATH: process.env.PATH, MARK: "from-hangar" },
      cwd: undefined,
    });
    const line = await new Promise<string>((resolve) => child.stdout.on("data", (chunk) => resolve(String(chunk))));
    const [grandchild, leader, mark] = line.trim().split(" ");
    expect(Number(leader)).toBe(child.pid);
    expect(mark).toBe("from-hangar");
    const own = groupOf(process.pid);
    expect(groupOf(child.pid)).toEqual({ pgrp: child.pid, session: own.session });
    expect(groupOf(Number(grandchild)).pgrp).toBe(child.pid);
    child.killGroup("SIGKILL");
    await child.exited;
    await waitFor(() => !isAlive(Number(grandchild)), 10_000, "the grandchild to be stopped with its group");
  });

  test("The provider runs in its folder, and the folder's bunfig.toml preload and .env are not read on the way", async () => {
    using temp = tempDir();
    const folder = join(temp.dir, "project");
    mkdirSync(folder);
    writeFileSync(join(folder, "bunfig.toml"), 'preload = ["./preload.ts"]\n');
    writeFileSync(
      join(folder, "preload.ts"),
      `require("node:fs").writeFileSync(${JSON.stringify(join(temp.dir, "ran"))}, "");\n`,
    );
    writeFileSync(join(folder, ".env"), "FROM_DOTENV=yes\n");
    const spawner = createSystemSpawner({ session: "hangar", runDir: join(temp.dir, "run") });
    const child = spawner({
      providerId: "p",
      command: "/bin/sh",
      args: ["-c", 'echo "$(pwd) ${FROM_DOTENV:-none}"'],
      env: { PATH: process.env.PATH },
      cwd: folder,
    });
    const line = await new Promise<string>((resolve) => child.stdout.on("data", (chunk) => resolve(String(chunk))));
    await child.exited;
    expect(line.trim()).toBe(`${folder} none`);
    expect(existsSync(join(temp.dir, "ran"))).toBe(false);
  });

  test("A command that cannot be executed, or a folder that is not there, is refused at spawn, as without the session", () => {
    using temp = tempDir();
    const script = join(temp.dir, "not-executable");
    writeFileSync(script, "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o644);
    const spawner = createSystemSpawner({ session: "hangar", runDir: join(temp.dir, "run") });
    expect(() => spawner({ providerId: "p", command: script, args: [], env: {}, cwd: undefined })).toThrow(
      `Cannot start provider "p": "${script}" could not be run (check its permissions and working directory)`,
    );
    expect(() =>
      spawner({ providerId: "p", command: "/bin/sh", args: [], env: {}, cwd: join(temp.dir, "not-there") }),
    ).toThrow(`Cannot start provider "p": "/bin/sh" could not be run (check its permissions and working directory)`);
  });

  test("A command line longer than the system takes (E2BIG) is refused at spawn, saying so", () => {
    using temp = tempDir();
    const spawner = createSystemSpawner({ session: "hangar", runDir: join(temp.dir, "run") });
    // Linux takes at most 128 KiB in one argument.
    const args = ["-c", "true", "x".repeat(256 * 1024)];
    expect(() => spawner({ providerId: "p", command: "/bin/sh", args, env: {}, cwd: undefined })).toThrow(
      `Cannot start provider "p": "/bin/sh" could not be run (its arguments and environment are larger than the system allows)`,
    );
  });

  test("hangar serve keeps its providers in its session, each leading its own process group", async () => {
    using box = sandbox();
    box.write("hangar.yaml", demoProvidersYaml(["p0"]));
    await using session = await serve(box);
    const result = await session.client.callTool({ name: "p0__echo", arguments: { message: "hi" } });
    expect(textOf(result)).toBe("hi");
    const provider = demoProviderPid(session.children(), "p0");
    expect(provider).toBeDefined();
    expect(groupOf(provider!)).toEqual({ pgrp: provider!, session: groupOf(session.pid).session });
  });

  test("hangar serve --http keeps its providers in its session too, each leading its own process group", async () => {
    using box = sandbox();
    box.write("hangar.yaml", demoProvidersYaml(["p0"]));
    await using http = await startHttpHangar(box);
    const { client } = await http.connect();
    const result = await client.callTool({ name: "p0__echo", arguments: { message: "hi" } });
    expect(textOf(result)).toBe("hi");
    const provider = demoProviderPid(http.running.children(), "p0");
    expect(provider).toBeDefined();
    expect(groupOf(provider!)).toEqual({ pgrp: provider!, session: groupOf(http.running.proc.pid).session });
  });
});
