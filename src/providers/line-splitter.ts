/** Splits a byte stream into lines, refusing any line longer than `maxLineBytes`. */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private size = 0;

  /** `maxLineBytes`: the longest line accepted (bytes, without the newline). */
  constructor(private readonly maxLineBytes: number) {}

  /** Feeds a chunk; returns the complete lines it finished. Throws when a line grows past the limit. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    this.pushBytes(chunk, (line) => lines.push(line.toString("utf8")));
    return lines;
  }

  /**
   * Feeds a chunk; calls `onLine` with each complete line's bytes (no newline, no trailing `\r`), without
   * decoding them, so a caller can skip a flood of lines it does not want at little cost. The bytes may
   * share memory with `chunk`. Throws when a line grows past the limit.
   */
  pushBytes(chunk: Buffer, onLine: (line: Buffer) => void): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    while (newline !== -1) {
      const part = chunk.subarray(start, newline);
      this.grow(part.length);
      this.chunks.push(part);
      onLine(this.take());
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.grow(rest.length);
      this.chunks.push(rest);
    }
  }

  private grow(bytes: number): void {
    this.size += bytes;
    if (this.size > this.maxLineBytes) {
      this.chunks = [];
      this.size = 0;
      throw new RangeError(`a line longer than ${this.maxLineBytes} bytes`);
    }
  }

  private take(): Buffer {
    const line = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    return line.at(-1) === 13 ? line.subarray(0, -1) : line;
  }
}

/** Keeps the last `capacity` bytes of a stream as text (a provider's stderr tail). */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Total bytes seen, including those dropped. */
  total = 0;

  constructor(private readonly capacity: number) {}

  /** Appends a chunk, dropping the oldest bytes past the capacity. */
  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.capacity && this.chunks.length > 0) {
      const first = this.chunks[0]!;
      const excess = this.size - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  /** The kept bytes as text. */
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
