import type { Socket } from "node:net";

/** The first line a connection to the daemon sends: what it wants. */
export type Hello =
  /** A bridge attaching its client; everything after this line is the client's MCP stream. */
  | { readonly op: "attach"; readonly pid?: number }
  /** `hangar status`: one JSON line back, then the daemon closes the connection. */
  | { readonly op: "status" }
  /** `hangar stop`: the daemon answers one line, cancels what runs, stops its providers and exits. */
  | { readonly op: "stop" };

/** The hello line's longest accepted length, in bytes. */
const MAX_HELLO = 4096;

/** The hello line a connection sends first. */
export function helloLine(hello: Hello): string {
  return `${JSON.stringify({ hangar: hello })}\n`;
}

/**
 * Reads a connection's hello line; resolves with it and the bytes that came after it, or undefined
 * when the connection closes, sends something else, or says nothing within `timeoutMs`.
 */
export function readHello(socket: Socket, timeoutMs = 5000): Promise<{ hello: Hello; rest: Buffer } | undefined> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const done = (result: { hello: Hello; rest: Buffer } | undefined) => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.pause();
      resolve(result);
    };
    const onClose = () => done(undefined);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(10);
      if (newline === -1) {
        if (buffered.length > MAX_HELLO) done(undefined);
        return;
      }
      done(parseHello(buffered.subarray(0, newline).toString("utf8"), buffered.subarray(newline + 1)));
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.on("data", onData);
    socket.on("close", onClose);
  });
}

function parseHello(line: string, rest: Buffer): { hello: Hello; rest: Buffer } | undefined {
  try {
    const hello = (JSON.parse(line) as { hangar?: Hello }).hangar;
    if (hello === undefined || !["attach", "status", "stop"].includes(hello.op)) return undefined;
    return { hello, rest: Buffer.from(rest) };
  } catch {
    return undefined;
  }
}
