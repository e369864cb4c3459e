// A child's stdio over Bun's own pipes (src/providers/bun-pipes.ts), against real processes: what
// ProcessTransport relies on of node's streams (writes, drain, a broken pipe, chunks in order, one end).
import { describe, expect, test } from "bun:test";
import { BunOutput, BunStdin } from "../src/providers/bun-pipes.ts";

function cat() {
  const child = Bun.spawn(["cat"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  return { child, stdin: new BunStdin(child.stdin), stdout: new BunOutput(child.stdout) };
}

describe("Bun pipes", () => {
  test("What is written comes back through cat in order, as Buffers, then one end once stdin closes", async () => {
    const { child, stdin, stdout } = cat();
    const chunks: Buffer[] = [];
    let ends = 0;
    const ended = new Promise<void>((resolve) =>
      stdout
        .on("data", (chunk) => chunks.push(chunk))
        .once("end", () => {
          ends++;
          resolve();
        }),
    );
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i}\n`);
    for (const line of lines) stdin.write(line);
    const closed = new Promise<void>((resolve) => stdin.on("close", () => resolve()));
    stdin.end();
    await Promise.all([ended, closed, child.exited]);
    expect(chunks.every((chunk) => Buffer.isBuffer(chunk))).toBe(true);
    expect(Buffer.concat(chunks).toString()).toBe(lines.join(""));
    expect(ends).toBe(1);
    expect(stdin.write("after the end\n")).toBe(false);
  });

  test("A write the pipe cannot take at once returns false, and drain follows once the child reads it", async () => {
    // The child reads nothing until it has slept: 1 MiB fills the pipe (64 KiB) and waits in memory.
    const child = Bun.spawn(["sh", "-c", "sleep 0.2; cat > /dev/null"], { stdin: "pipe", stdout: "pipe" });
    const stdin = new BunStdin(child.stdin);
    let drained = false;
    const drain = new Promise<void>((resolve) =>
      stdin.on("drain", () => {
        drained = true;
        resolve();
      }),
    );
    expect(stdin.write("x".repeat(1 << 20))).toBe(false);
    expect(drained).toBe(false);
    await drain;
    expect(stdin.write("small\n")).toBe(true);
    stdin.end();
    await child.exited;
  });

  test("A pipe broken under a waiting write is an error, then close; later writes are dropped", async () => {
    const child = Bun.spawn(["sleep", "10"], { stdin: "pipe", stdout: "pipe" });
    const stdin = new BunStdin(child.stdin);
    const events: string[] = [];
    const closed = new Promise<void>((resolve) => {
      stdin.on("error", () => events.push("error"));
      stdin.on("close", () => {
        events.push("close");
        resolve();
      });
    });
    expect(stdin.write("x".repeat(1 << 20))).toBe(false);
    child.kill("SIGKILL");
    await closed;
    expect(events).toEqual(["error", "close"]);
    expect(stdin.write("more\n")).toBe(false);
  });

  test("Output is read from the first data listener on, the child gone by then even; every data listener gets every chunk", async () => {
    const child = Bun.spawn(["sh", "-c", "printf 'a\\nb\\n' >&2"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const stderr = new BunOutput(child.stderr);
    await child.exited;
    const first: string[] = [];
    const second: string[] = [];
    const ended = new Promise<void>((resolve) => stderr.once("end", resolve));
    stderr.on("data", (chunk) => first.push(chunk.toString()));
    stderr.on("data", (chunk) => second.push(chunk.toString()));
    await ended;
    expect(first.join("")).toBe("a\nb\n");
    expect(second.join("")).toBe(first.join(""));
  });
});
