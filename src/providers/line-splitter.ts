/** Called with each complete line: `bytes[start, end)`, without its newline or a trailing `\r`. */
export type LineHandler = (bytes: Buffer, start: number, end: number) => void;

/** Splits a byte stream into lines, refusing any line longer than `maxLineBytes`. */
export class LineSplitter {
  /** The start of a line whose newline has not come yet, in the chunks it came in. */
  private partial: Buffer[] = [];
  private size = 0;

  /** `maxLineBytes`: the longest line accepted (bytes, without the newline). */
  constructor(private readonly maxLineBytes: number) {}

  /** Feeds a chunk; returns the complete lines it finished. Throws when a line grows past the limit. */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    this.pushLines(chunk, (bytes, start, end) => lines.push(bytes.toString("utf8", start, end)));
    return lines;
  }

  /**
   * Feeds a chunk; calls `onLine` with each complete line as a range of bytes, at once, without decoding
   * or copying it, so a caller decodes only what it wants (and a flood of lines it skips costs little): a
   * line inside the chunk is a range of the chunk itself, no object made for it; only a line that spans
   * chunks is joined (once, when its newline comes). A multi-byte character split across chunks is whole
   * in the joined line. The bytes are only valid during the call. Throws when a line grows past the limit
   * (the lines before it were handed over; its bytes are dropped and the next line starts after its
   * newline).
   */
  pushLines(chunk: Buffer, onLine: LineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(10);
    if (this.partial.length > 0) {
      if (newline === -1) {
        this.keep(chunk);
        return;
      }
      this.grow(newline);
      this.partial.push(chunk.subarray(0, newline));
      const line = Buffer.concat(this.partial, this.size);
      this.partial = [];
      this.size = 0;
      emit(line, 0, line.length, onLine);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    while (newline !== -1) {
      if (newline - start > this.maxLineBytes) throw this.tooLong();
      emit(chunk, start, newline, onLine);
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.keep(start === 0 ? chunk : chunk.subarray(start));
  }

  private keep(part: Buffer): void {
    this.grow(part.length);
    this.partial.push(part);
  }

  private grow(bytes: number): void {
    this.size += bytes;
    if (this.size > this.maxLineBytes) throw this.tooLong();
  }

  private tooLong(): RangeError {
    this.partial = [];
    this.size = 0;
    return new RangeError(`a line longer than ${this.maxLineBytes} bytes`);
  }
}

function emit(bytes: Buffer, start: number, end: number, onLine: LineHandler): void {
  onLine(bytes, start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
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
