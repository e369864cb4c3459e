// Issue 12: the bridge of `hangar serve --shared` on Bun's own stdin, stdout and Unix socket (no node
// streams on the path of every message), against an in-process daemon stand-in.
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket, UnixSocketListener } from "bun";
import type { OutputSink } from "../src/runtime/index.ts";
import { runBridge } from "../src/serve/shared/bridge.ts";
import { DaemonLink } from "../src/serve/shared/daemon-link.ts";
import { waitFor } from "./helpers/processes.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A Unix socket server; `onLine` gets each whole line a connection sends. */
function daemon(onLine: (line: string, socket: Socket<{ text: string }>) => void): {
  path: string;
  received: () => string;
} {
  const dir = mkdtempSync(join(tmpdir(), "hangar-link-"));
  const path = join(dir, "d.sock");
  let all = "";
  const listener: UnixSocketListener<{ text: string }> = Bun.listen<{ text: string }>({
    unix: path,
    socket: {
      open: (socket) => {
        socket.data = { text: "" };
      },
      data: (socket, chunk) => {
        all += chunk.toString();
        socket.data.text += chunk.toString();
        for (let newline = socket.data.text.indexOf("\n"); newline !== -1; newline = socket.data.text.indexOf("\n")) {
          const line = socket.data.text.slice(0, newline);
          socket.data.text = socket.data.text.slice(newline + 1);
          onLine(line, socket);
        }
      },
    },
  });
  cleanups.push(() => {
    listener.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });
  return { path, received: () => all };
}

/** A client's stdin the test writes to, and its stdout recording each write. */
function client() {
  let input!: ReadableStreamDefaultController<Uint8Array>;
  const stdin = new ReadableStream<Uint8Array>({
    start: (controller) => {
      input = controller;
    },
  });
  const writes: string[] = [];
  const stdout: OutputSink = {
    write: (chunk) => writes.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()),
    flush: () => 0,
  };
  return {
    stdin,
    stdout,
    writes,
    send: (text: string) => input.enqueue(new TextEncoder().encode(text)),
    end: () => input.close(),
  };
}

describe("Issue 12: the bridge's link to the daemon", () => {
  test("a client's request reaches the daemon whole and its answer reaches the client as the daemon wrote it", async () => {
    const server = daemon((line, socket) => {
      const { id } = JSON.parse(line);
      socket.write(`{"id":${JSON.stringify(id)},"jsonrpc":"2.0","result":{}}\n`);
    });
    const link = (await DaemonLink.connect(server.path))!;
    const io = client();
    const done = runBridge({
      socket: link,
      attach: () => Promise.reject(new Error("no new daemon here")),
      signal: new AbortController().signal,
      stdin: io.stdin,
      stdout: io.stdout,
      notice: () => {},
    });
    // A line split over two reads goes out once it is whole.
    io.send('{"jsonrpc":"2.0","id":1,"method":"tools/li');
    io.send('st"}\n{"jsonrpc":"2.0","id":"b","method":"ping"}\n');
    await waitFor(() => io.writes.join("").split("\n").length === 3);
    expect(io.writes.join("")).toBe('{"id":1,"jsonrpc":"2.0","result":{}}\n{"id":"b","jsonrpc":"2.0","result":{}}\n');
    expect(server.received()).toBe(
      '{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n{"jsonrpc":"2.0","id":"b","method":"ping"}\n',
    );
    // Every request answered: stdin's end closes the connection and the bridge returns.
    io.end();
    await done;
    await waitFor(() => link.isClosed);
  });

  test("the daemon dropping the connection answers the open requests at once: a tool call with transport_error", async () => {
    const server = daemon((line, socket) => {
      if (line.includes('"tools/call"')) socket.terminate();
    });
    const io = client();
    const done = runBridge({
      socket: (await DaemonLink.connect(server.path))!,
      attach: () => Promise.reject(new Error("no new daemon here")),
      signal: new AbortController().signal,
      stdin: io.stdin,
      stdout: io.stdout,
      notice: () => {},
    });
    io.send('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"p__slow"}}\n');
    await waitFor(() => io.writes.length > 0);
    const answer = JSON.parse(io.writes.join(""));
    expect(answer).toMatchObject({ id: 7, result: { isError: true } });
    expect(answer.result.content[0].text).toStartWith("transport_error:");
    io.end();
    await done;
  });

  test("a client whose stdout is gone ends the bridge and drops its connection, without waiting for stdin", async () => {
    const server = daemon((line, socket) => {
      const { id } = JSON.parse(line);
      socket.write(`{"id":${JSON.stringify(id)},"jsonrpc":"2.0","result":{}}\n`);
    });
    const link = (await DaemonLink.connect(server.path))!;
    const io = client();
    const done = runBridge({
      socket: link,
      attach: () => Promise.reject(new Error("no new daemon here")),
      signal: new AbortController().signal,
      stdin: io.stdin,
      stdout: { write: () => {}, flush: () => Promise.reject(new Error("EPIPE: broken pipe, write")) },
      notice: () => {},
    });
    io.send('{"jsonrpc":"2.0","id":1,"method":"ping"}\n');
    await done;
    await waitFor(() => link.isClosed);
  });

  test("a bridge stopped (a signal) with a request open does not say the daemon went away", async () => {
    const server = daemon(() => {});
    const link = (await DaemonLink.connect(server.path))!;
    const io = client();
    const leave = new AbortController();
    const notices: string[] = [];
    const done = runBridge({
      socket: link,
      attach: () => Promise.reject(new Error("no new daemon here")),
      signal: leave.signal,
      stdin: io.stdin,
      stdout: io.stdout,
      notice: (message) => void notices.push(message),
    });
    io.send('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"p__slow"}}\n');
    await waitFor(() => server.received().includes('"id":3'));
    leave.abort();
    await done;
    await waitFor(() => link.isClosed);
    expect(notices).toEqual([]);
    // Its client may still read: the open call is answered, as stopped, not as the daemon's failure.
    const answer = JSON.parse(io.writes.join(""));
    expect(answer).toMatchObject({ id: 3, result: { isError: true } });
    expect(answer.result.content[0].text).toStartWith("cancelled: this hangar serve --shared was stopped");
  });

  test("bytes the OS does not take at once are written on drain, all of them and in order", async () => {
    const server = daemon(() => {});
    const link = (await DaemonLink.connect(server.path))!;
    const big = `${"x".repeat(8 * 1024 * 1024)}\n`;
    let drained = false;
    link.ondrain = () => (drained = true);
    // A socket buffer holds far less than 8 MiB: the rest waits for drains.
    expect(link.write(big)).toBe(false);
    expect(link.write("after\n")).toBe(false);
    await waitFor(() => server.received().length === big.length + 6, 20_000);
    expect(server.received().endsWith("x\nafter\n")).toBe(true);
    expect(drained).toBe(true);
    link.destroy();
  });

  test("bytes that arrive while paused are handed over in order on resume, and before the close is told", async () => {
    const server = daemon((line, socket) => {
      socket.write(`${line}-1\n`);
      socket.write(`${line}-2\n`);
      socket.end();
    });
    const link = (await DaemonLink.connect(server.path))!;
    const got: string[] = [];
    let closedAfter = -1;
    link.pause();
    link.ondata = (chunk) => got.push(chunk.toString());
    link.onclose = () => (closedAfter = got.join("").length);
    link.write("a\n");
    await waitFor(() => server.received() === "a\n");
    await Bun.sleep(50);
    expect(got).toEqual([]);
    link.resume();
    await waitFor(() => link.isClosed);
    expect(got.join("")).toBe("a-1\na-2\n");
    expect(closedAfter).toBe("a-1\na-2\n".length);
  });
});
