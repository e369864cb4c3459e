import { bun } from "./host.ts";

/** What a `UnixSocket` tells its owner. */
export interface UnixSocketHandlers {
  /** Bytes from the other end, as they come. */
  data(chunk: Buffer): void;
  /** Bytes `write` did not take can be written again. */
  drain(): void;
  /** The connection is gone (closed by either end, or failed); told once. */
  close(): void;
}

/** A connected Unix domain socket, as raw as the runtime offers it. */
export interface UnixSocket {
  /** Writes what the OS takes now: the number of bytes taken (the rest is the caller's, for `drain`), -1 once closed. */
  write(data: Uint8Array): number;
  /** Closes the write side (the other end reads its end). */
  shutdown(): void;
  /** Drops the connection now. */
  terminate(): void;
  /** Stops and restarts reading the socket. */
  pause(): void;
  resume(): void;
}

/**
 * Connects to the Unix socket at `path`; undefined when nothing listens there. On Bun its own sockets
 * (`Bun.connect`: no stream machinery per chunk); elsewhere node:net, whose writes are always taken
 * (node buffers them), so there `drain` is never needed.
 */
export function connectUnix(path: string, handlers: UnixSocketHandlers): Promise<UnixSocket | undefined> {
  if (bun) {
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      handlers.close();
    };
    return bun
      .connect({
        unix: path,
        socket: {
          data: (_socket, chunk) => handlers.data(chunk),
          drain: () => handlers.drain(),
          end: (socket) => {
            socket.end();
          },
          close,
          error: close,
          connectError: () => {},
        },
      })
      .then(
        (socket): UnixSocket => ({
          write: (data) => socket.write(data),
          shutdown: () => socket.shutdown(),
          terminate: () => socket.terminate(),
          pause: () => socket.pause(),
          resume: () => socket.resume(),
        }),
        () => undefined,
      );
  }
  return connectNode(path, handlers);
}

/** `connectUnix` on node:net, as on Deno. */
export async function connectNode(path: string, handlers: UnixSocketHandlers): Promise<UnixSocket | undefined> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect(path);
    const onError = () => {
      socket.destroy();
      resolve(undefined);
    };
    socket.once("error", onError);
    socket.once("connect", () => {
      socket.off("error", onError);
      socket.on("error", () => {});
      socket.on("data", (chunk: Buffer) => handlers.data(chunk));
      socket.on("close", () => handlers.close());
      resolve({
        write: (data) => {
          if (socket.destroyed) return -1;
          socket.write(data);
          return data.length;
        },
        shutdown: () => socket.end(),
        terminate: () => socket.destroy(),
        pause: () => socket.pause(),
        resume: () => socket.resume(),
      });
    });
  });
}
