/** How a line the daemon wrote starts when it is a response (socket-transport.ts puts `id` first). */
const RESPONSE_HEAD = Buffer.from('{"id":');
/** Bytes of a line's start kept across chunks: enough for the prefix and any id a client uses. */
const HEAD_BYTES = 256;
/** A JSON number or string, at the start of the text. */
const ID_TOKEN = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*")/;

/**
 * Finds the ids of the responses in the daemon's output without parsing it: it looks only at the first
 * bytes of each line, where the daemon's transport writes `{"id":<id>,`. Fed chunk by chunk; a line's
 * head split over two chunks is kept until it is whole. Cost: one `indexOf` per chunk plus a few bytes
 * per line, whatever a line's size.
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
      if (this.atLineStart || this.headSize > 0) this.collect(chunk.subarray(start, end), newline !== -1);
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
    if (head.subarray(0, RESPONSE_HEAD.length).equals(RESPONSE_HEAD)) {
      const token = ID_TOKEN.exec(head.subarray(RESPONSE_HEAD.length).toString("utf8"))?.[1];
      if (token !== undefined) this.onId(token);
    }
  }
}
