/** How a line the daemon wrote starts when it is a response (socket-transport.ts puts `id` first). */
const ID_HEAD = Buffer.from('{"id":');
/** How the SDK writes a message: a response has `"result"` or `"error"` right after the id. */
const JSONRPC_HEAD = Buffer.from('{"jsonrpc":"2.0","id":');
const AFTER_ID = [Buffer.from(',"result"'), Buffer.from(',"error"')];
/** Bytes of a line's start kept across chunks: enough for the prefix and any id a client uses. */
const HEAD_BYTES = 256;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Finds the ids of the responses in the daemon's output without parsing it: it looks only at the first
 * bytes of each line, where the daemon's transport writes `{"id":<id>,` (or the SDK's own
 * `{"jsonrpc":"2.0","id":<id>,"result"|"error"`, so a line written past that transport is still seen).
 * Fed chunk by chunk; a line's head is read in place, and only one split over two chunks is kept until
 * it is whole. Cost: one `indexOf` per line plus a few byte compares, whatever a line's size.
 */
export class ResponseIds {
  private head: Buffer[] = [];
  private headSize = 0;
  /** Whether the next byte starts a line (no partial line was written). */
  atLineStart = true;

  /** `onId` gets the JSON text of each response id (`7`, `"abc"`) as its line's head arrives. */
  constructor(private readonly onId: (id: string) => void) {}

  /** Scans one chunk of the daemon's output. */
  feed(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(10, start);
      const end = newline === -1 ? chunk.length : newline;
      if (this.headSize > 0) this.collect(chunk.subarray(start, end), newline !== -1);
      else if (this.atLineStart) {
        // The usual case: the whole head is in this chunk.
        if (newline !== -1 || end - start >= HEAD_BYTES) this.scan(chunk, start, Math.min(end, start + HEAD_BYTES));
        else this.collect(chunk.subarray(start, end), false);
      }
      if (newline === -1) {
        this.atLineStart = false;
        return;
      }
      this.atLineStart = true;
      start = newline + 1;
    }
  }

  private collect(part: Buffer, lineEnded: boolean): void {
    const room = HEAD_BYTES - this.headSize;
    if (room > 0 && part.length > 0) {
      const taken = part.subarray(0, room);
      this.head.push(taken);
      this.headSize += taken.length;
    }
    if (this.headSize < HEAD_BYTES && !lineEnded) return;
    const head = Buffer.concat(this.head);
    this.head = [];
    this.headSize = 0;
    this.scan(head, 0, head.length);
  }

  /** Reads the id of a response whose line starts at `from` (its head ends before `to`). */
  private scan(bytes: Buffer, from: number, to: number): void {
    const sdk = startsWith(bytes, from, to, JSONRPC_HEAD);
    if (!sdk && !startsWith(bytes, from, to, ID_HEAD)) return;
    const at = from + (sdk ? JSONRPC_HEAD.length : ID_HEAD.length);
    const end = tokenEnd(bytes, at, to);
    if (end === undefined) return;
    if (sdk && !AFTER_ID.some((after) => startsWith(bytes, end, to, after))) return;
    this.onId(bytes.toString("utf8", at, end));
  }
}

function startsWith(bytes: Buffer, from: number, to: number, prefix: Buffer): boolean {
  if (to - from < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[from + i] !== prefix[i]) return false;
  return true;
}

/** Where the JSON number or string at `at` ends (exclusive), or undefined when there is none before `to`. */
function tokenEnd(bytes: Buffer, at: number, to: number): number | undefined {
  if (bytes[at] === QUOTE) {
    for (let i = at + 1; i < to; i++) {
      if (bytes[i] === BACKSLASH) i++;
      else if (bytes[i] === QUOTE) return i + 1;
    }
    return undefined;
  }
  let i = at;
  // -, +, ., digits, e, E: the characters of a JSON number.
  while (i < to && isNumberByte(bytes[i]!)) i++;
  return i > at && i < to ? i : undefined;
}

const isNumberByte = (byte: number) =>
  (byte >= 48 && byte <= 57) || byte === 45 || byte === 43 || byte === 46 || byte === 101 || byte === 69;
