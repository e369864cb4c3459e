/** The part of a child process's stdio that Hangar uses: node's streams are it, and so are bun-pipes.ts's. */

/** What Hangar writes to a child's stdin with: node's Writable is one (bun-pipes.ts has Bun's). */
export interface ChildStdin {
  /** Writes `text`; false when it waits in memory for the pipe, and "drain" comes once it has gone out. */
  write(text: string): boolean;
  /** Closes the pipe once what was written has gone out ("close" follows). */
  end(): void;
  on(event: "drain" | "close" | "error", listener: (error?: Error) => void): this;
  off(event: "drain" | "close", listener: () => void): this;
}

/** What Hangar reads a child's stdout or stderr with: node's Readable is one (bun-pipes.ts has Bun's). */
export interface ChildOutput {
  /** Each chunk, in order; reading starts with the first listener. */
  on(event: "data", listener: (chunk: Buffer) => void): this;
  /** Once, after the last chunk. */
  once(event: "end", listener: () => void): this;
}
