// src/runtime/: the thin layer between Hangar and the runtime (Bun here; Deno in tests/e2e/deno.test.ts).
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connectUnix,
  listen,
  runToEnd,
  runToEndSync,
  searchPath,
  sha256Hex,
  type UnixSocketHandlers,
  which,
} from "../src/runtime/index.ts";
import { connectNode } from "../src/runtime/unix-socket.ts";
import { waitFor } from "./helpers/processes.ts";

describe("which", () => {
  test("the node:fs search Deno uses finds exactly what Bun.which finds", () => {
    const root = mkdtempSync(join(tmpdir(), "hangar-which-"));
    try {
      mkdirSync(join(root, "bin"));
      mkdirSync(join(root, "bin", "a-directory"));
      writeFileSync(join(root, "bin", "tool"), "#!/bin/sh\n");
      chmodSync(join(root, "bin", "tool"), 0o755);
      writeFileSync(join(root, "bin", "not-executable"), "");
      const cases: [string, { PATH: string; cwd: string }][] = [
        ["sh", { PATH: process.env.PATH ?? "", cwd: root }],
        ["tool", { PATH: `/nowhere:${join(root, "bin")}`, cwd: "/" }],
        ["tool", { PATH: "bin", cwd: root }],
        ["tool", { PATH: "/usr/bin", cwd: root }],
        ["not-executable", { PATH: join(root, "bin"), cwd: root }],
        ["a-directory", { PATH: join(root, "bin"), cwd: root }],
        ["no-such-command-anywhere", { PATH: process.env.PATH ?? "", cwd: root }],
        [join(root, "bin", "tool"), { PATH: "", cwd: "/" }],
      ];
      for (const [command, options] of cases)
        expect({ command, found: searchPath(command, options) }).toEqual({
          command,
          found: Bun.which(command, options) ?? undefined,
        });
      expect(which("tool", { PATH: join(root, "bin") })).toBe(join(root, "bin", "tool"));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("runToEnd", () => {
  test("gives a program's exit code, stdout and stderr once it ends", async () => {
    const finished = await runToEnd(["sh", "-c", 'echo out; echo "$GREETING" >&2; exit 3'], {
      env: { PATH: process.env.PATH ?? "", GREETING: "hi" },
    });
    expect(finished).toEqual({ code: 3, stdout: "out\n", stderr: "hi\n" });
  });

  test("kills a program still running at its timeout", async () => {
    const finished = await runToEnd(["sleep", "30"], { timeoutMs: 50 });
    expect(finished.code).toBeNull();
  });

  test("rejects for a program that cannot be started; the sync form gives no output", async () => {
    await expect(runToEnd(["/no/such/program"])).rejects.toThrow();
    expect(runToEndSync(["/no/such/program"])).toBe("");
    expect(runToEndSync(["echo", "a b"])).toBe("a b\n");
  });
});

test("sha256Hex is SHA-256 as 64 hex digits", () => {
  expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("listen serves a fetch handler on the free port it picked, and stops", async () => {
  const listener = listen({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => new Response(new URL(request.url).pathname),
  });
  try {
    expect(listener.port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${listener.port}/hello`);
    expect(await response.text()).toBe("/hello");
  } finally {
    await listener.stop(true);
  }
  await expect(fetch(`http://127.0.0.1:${listener.port}/hello`)).rejects.toThrow();
});

test("a request whose handler fails gets a bare 500, no message or source (no development page), and onError is told", async () => {
  const told: unknown[] = [];
  const listener = listen({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      if (new URL(request.url).pathname === "/sync") throw new Error("an internal detail");
      return Promise.reject(new Error("an internal detail"));
    },
    onError: (error) => told.push(error),
  });
  try {
    for (const path of ["/sync", "/async"]) {
      const response = await fetch(`http://127.0.0.1:${listener.port}${path}`);
      expect(response.status).toBe(500);
      expect(await response.text()).toBe("Internal Server Error");
    }
  } finally {
    await listener.stop(true);
  }
  expect(told.map((error) => (error as Error).message)).toEqual(["an internal detail", "an internal detail"]);
});

describe("connectUnix", () => {
  for (const [name, connect] of [
    ["Bun's sockets", connectUnix],
    ["node:net (as on Deno)", connectNode],
  ] as const)
    test(`${name}: sends and gets bytes, closes its write side, is told the close; nothing listening gives undefined`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "hangar-unix-"));
      const path = join(dir, "s.sock");
      let ended = false;
      const listener = Bun.listen({
        unix: path,
        socket: {
          data: (socket, chunk) => void socket.write(chunk.toString().toUpperCase()),
          end: (socket) => {
            ended = true;
            socket.end();
          },
        },
      });
      try {
        expect(await connect(join(dir, "none.sock"), { data() {}, drain() {}, close() {} })).toBeUndefined();
        let got = "";
        let closes = 0;
        const handlers: UnixSocketHandlers = {
          data: (chunk) => {
            got += chunk.toString();
          },
          drain() {},
          close: () => {
            closes++;
          },
        };
        const socket = (await connect(path, handlers))!;
        expect(socket.write(Buffer.from("hello"))).toBe(5);
        await waitFor(() => got === "HELLO");
        socket.shutdown();
        await waitFor(() => ended && closes === 1);
        expect(socket.write(Buffer.from("late"))).toBeLessThan(1);
      } finally {
        listener.stop(true);
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
