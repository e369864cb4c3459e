// The live lines `hangar call` draws on a terminal while providers start (issue 9 #29): in-process on a
// fake clock for the drawing, and end to end through a pseudo-terminal (`script`) for the TTY decision.
import { describe, expect, test } from "bun:test";
import { StartProgress } from "../src/cli/start-progress.ts";
import type { ResolvedProvider } from "../src/config/index.ts";
import { hangarBinary, runHangar, sandbox } from "./helpers/e2e.ts";
import { FakeClock } from "./helpers/fake-clock.ts";
import { stdioProvider } from "./helpers/providers.ts";

/** A provider whose state the test sets. */
function source(id: string, command: string[]): { config: ResolvedProvider; state: string } {
  return { config: stdioProvider(id, command), state: "cold" };
}

const ESC = String.fromCharCode(27);
const ERASE = new RegExp(`^${ESC}\\[(\\d+)A\r${ESC}\\[J$`);
const SPLIT = new RegExp(`(${ESC}\\[\\d+A\r${ESC}\\[J|\n)`);

/** What a terminal shows after `written`: cursor-up + erase-below applied, lines kept. */
function screen(written: string): string[] {
  const rows: string[] = [];
  let current = "";
  for (const part of written.split(SPLIT)) {
    const up = ERASE.exec(part);
    if (up) rows.splice(rows.length - Number(up[1]));
    else if (part === "\n") {
      rows.push(current);
      current = "";
    } else current += part;
  }
  return current === "" ? rows : [...rows, current];
}

describe("start progress on a terminal", () => {
  test("issue 9 #29: a line per provider still starting after a second, ticking, erased when its start ends", async () => {
    const clock = new FakeClock();
    let written = "";
    using progress = new StartProgress({ clock, stream: { write: (text: string) => (written += text) } });
    const files = source("files", ["npx", "-y", "@modelcontextprotocol/server-filesystem"]);
    const quick = source("quick", ["/opt/bin/hangar", "demo-provider"]);
    const github = source("github", ["/usr/local/bin/uvx", "mcp-server-github"]);
    progress.watch([files, quick, github]);
    files.state = quick.state = github.state = "starting";
    await clock.advance(250);
    quick.state = "ready";
    progress.recorder.providerStarted("quick", 300);
    await clock.advance(750);
    expect(written).toBe("");
    await clock.advance(500);
    expect(screen(written)).toEqual(["starting files (npx) … 1 s", "starting github (uvx) … 1 s"]);
    await clock.advance(11_000);
    expect(screen(written)).toEqual(["starting files (npx) … 12 s", "starting github (uvx) … 12 s"]);
    // A result row is written: the lines are erased first, and drawn again below it.
    progress.clear();
    written += "ok   quick/echo\n";
    github.state = "failed";
    progress.recorder.providerStartFailed("github");
    await clock.advance(250);
    expect(screen(written)).toEqual(["ok   quick/echo", "starting files (npx) … 12 s"]);
    files.state = "ready";
    progress.recorder.providerStarted("files", 13_000);
    expect(screen(written)).toEqual(["ok   quick/echo"]);
    await clock.advance(5_000);
    expect(screen(written)).toEqual(["ok   quick/echo"]);
  });

  test("disposing erases the lines and stops the timer", async () => {
    const clock = new FakeClock();
    let written = "";
    const progress = new StartProgress({ clock, stream: { write: (text: string) => (written += text) } });
    const slow = source("slow", ["bash", "-c", "sleep 20"]);
    slow.state = "starting";
    progress.watch([slow]);
    await clock.advance(2_000);
    expect(screen(written)).toEqual(["starting slow (bash) … 1 s"]);
    progress[Symbol.dispose]();
    expect(screen(written)).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  test("issue 9 #29: hangar call shows a starting line on a terminal, and none when stderr is not one", async () => {
    using box = sandbox();
    const slow = ["bash", "-c", `sleep 2.5; exec ${hangarBinary()} demo-provider --name slow`];
    box.write("hangar.yaml", `providers:\n  - id: slow\n    command: ${JSON.stringify(slow)}\n`);
    const batch = box.write("batch.json", '[{"provider":"slow","tool":"echo","arguments":{"message":"hi"}}]');
    const plain = await runHangar(["call", batch], box.options());
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe("");
    const command = `${hangarBinary()} call ${batch}`;
    await using proc = Bun.spawn(["script", "-e", "-q", "-c", command, "/dev/null"], {
      cwd: box.cwd,
      env: { ...box.env, TERM: "xterm" },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(0);
    expect(out).toContain("starting slow (bash) … 1 s");
    expect(out).toContain("starting slow (bash) … 2 s");
    // Erased before the row: what the terminal finally shows is the row and the summary.
    expect(screen(out.replace(/\r\n/g, "\n")).filter((row) => row.trim() !== "")).toEqual([
      expect.stringMatching(/^ok {3}slow\/echo /),
      expect.stringMatching(/^1 call(s)?, 1 succeeded, 0 failed in \d+ ms$/),
    ]);
  }, 30_000);
});
