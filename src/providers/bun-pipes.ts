/**
 * A child's stdio over Bun's own pipes (`Bun.spawn`: a FileSink for stdin, ReadableStreams for stdout and
 * stderr) behind the part of node's stream API that Hangar uses (`ChildStdin`, `ChildOutput`). Through
 * node:child_process, every chunk read and every write went through Bun's JavaScript emulation of node
 * streams (readable-state bookkeeping, `nextTick`s, a read-more loop): a ping-pong through `cat` took
 * 16–21 µs of CPU per round trip that way and ~12 µs through these (bench/README.md, "stop 14").
 */
import { EventEmitter } from "node:events";
import type { ChildOutput, ChildStdin } from "./child-io.ts";

/** What `Bun.spawn` returns for `stdin: "pipe"` (a write or flush the pipe cannot take yet is a promise). */
interface FileSink {
  write(chunk: string): number | Promise<number>;
  flush(): number | Promise<number> | undefined;
  end(): number | Promise<number> | undefined;
}

/**
 * A child's stdin: a write goes to the pipe at once; when the pipe is full, the rest waits in the sink's
 * memory, `write` returns false and "drain" follows once it has gone out, as a node Writable does. A
 * broken pipe (the child exited) is an "error", then "close"; writes after that are dropped.
 */
export class BunStdin extends EventEmitter implements ChildStdin {
  private closed = false;
  /** Flushes still waiting for the pipe. */
  private pending = 0;

  constructor(private readonly sink: FileSink) {
    super();
  }

  write(text: string): boolean {
    if (this.closed) return false;
    try {
      this.wait(this.sink.write(text));
      this.wait(this.sink.flush());
    } catch (error) {
      this.broke(error);
      return false;
    }
    return this.pending === 0;
  }

  /** Counts a write or flush the pipe has not taken yet; "drain" once none is left. */
  private wait(result: number | Promise<number> | undefined): void {
    if (!(result instanceof Promise)) return;
    this.pending++;
    result.then(
      () => {
        this.pending--;
        if (this.pending === 0 && !this.closed) this.emit("drain");
      },
      (error: unknown) => this.broke(error),
    );
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    let ended: number | Promise<number> | undefined;
    try {
      ended = this.sink.end();
    } catch {
      // The pipe broke already: it is closed all the same.
    }
    void Promise.resolve(ended).then(
      () => this.emit("close"),
      () => this.emit("close"),
    );
  }

  private broke(error: unknown): void {
    if (this.closed) return;
    this.closed = true;
    if (this.listenerCount("error") > 0) this.emit("error", error);
    this.emit("close");
  }
}

/**
 * A child's stdout or stderr: "data" with each chunk as a Buffer, in order, then
 * "end" once. Reading starts with the first "data" listener, as a node Readable flows once read; a
 * stream nobody listens to is not read.
 */
export class BunOutput implements ChildOutput {
  private readonly dataListeners: ((chunk: Buffer) => void)[] = [];
  private readonly endListeners: (() => void)[] = [];
  private reading = false;

  constructor(private readonly stream: ReadableStream<Uint8Array>) {}

  on(_event: "data", listener: (chunk: Buffer) => void): this {
    this.dataListeners.push(listener);
    if (!this.reading) {
      this.reading = true;
      void this.pump();
    }
    return this;
  }

  once(_event: "end", listener: () => void): this {
    this.endListeners.push(listener);
    return this;
  }

  private async pump(): Promise<void> {
    const reader = this.stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        // A copy: a view of the chunk's memory (`value.buffer`) makes the runtime build the chunk's
        // ArrayBuffer first, which costs more than copying a chunk of a pipe (2.2–2.9 µs against 1.0–1.2
        // for an answer's line, bench/README.md "stop 14").
        const chunk = Buffer.from(value);
        for (const listener of this.dataListeners) listener(chunk);
      }
    } catch {
      // The pipe failed: for a reader that is its end.
    }
    for (const listener of this.endListeners.splice(0)) listener();
  }
}
