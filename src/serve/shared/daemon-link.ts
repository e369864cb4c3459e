import { connectUnix, type UnixSocket } from "../../runtime/index.ts";

/**
 * One connection to the shared daemon's Unix socket, on Bun's own sockets (see `connectUnix`), not
 * node:net: no stream machinery between the bytes and the bridge, which pipes every message of its
 * client through here (node:net cost the bridge about a third more CPU per message). Bytes that arrive
 * while nobody reads (`ondata` unset, or paused) are kept and handed over in order; bytes the OS does
 * not take at once are kept and written on `drain`.
 */
export class DaemonLink {
  /** Gets the daemon's bytes as they come. */
  ondata: ((chunk: Buffer) => void) | undefined;
  /** Told once, when the connection is gone (the daemon closed it, died, or `destroy`). */
  onclose: (() => void) | undefined;
  /** Told when bytes `write` had to keep are all written. */
  ondrain: (() => void) | undefined;
  private kept: Buffer[] = [];
  private unsent: Uint8Array[] = [];
  private paused = false;
  private ending = false;
  private closed = false;

  private constructor(private readonly socket: UnixSocket) {}

  /** Connects to `path`; undefined when nothing listens there (no file, or a stale one). */
  static async connect(path: string): Promise<DaemonLink | undefined> {
    let link: DaemonLink | undefined;
    // What comes before the link exists (nothing, as the runtimes deliver events) is kept for it.
    const early: (() => void)[] = [];
    const socket = await connectUnix(path, {
      data: (chunk) => (link ? link.received(chunk) : early.push(() => link?.received(chunk))),
      drain: () => link?.drained(),
      close: () => (link ? link.gone() : early.push(() => link?.gone())),
    });
    if (socket === undefined) return undefined;
    link = new DaemonLink(socket);
    for (const event of early) event();
    return link;
  }

  /** Whether the connection is gone. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends `data`; false when the OS did not take all of it (the rest goes out on drain: wait for `ondrain`). */
  write(data: Uint8Array | string): boolean {
    if (this.closed) return true;
    const bytes = typeof data === "string" ? Buffer.from(data) : data;
    if (this.unsent.length > 0) {
      this.unsent.push(bytes);
      return false;
    }
    const written = this.socket.write(bytes);
    if (written >= bytes.length || written < 0) return true;
    this.unsent.push(bytes.subarray(written));
    return false;
  }

  /** Stops reading the socket and handing over bytes (those read already are kept) until `resume`. */
  pause(): void {
    this.paused = true;
    if (!this.closed) this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    if (!this.closed) this.socket.resume();
    while (!this.paused && this.kept.length > 0 && this.ondata) this.ondata(this.kept.shift()!);
  }

  /** Closes the write side once everything written is sent; the daemon then closes the connection. */
  end(): void {
    this.ending = true;
    if (this.unsent.length === 0 && !this.closed) this.socket.shutdown();
  }

  /** Drops the connection now. */
  destroy(): void {
    if (!this.closed) this.socket.terminate();
    this.gone();
  }

  private received(chunk: Buffer): void {
    if (this.paused || this.ondata === undefined) this.kept.push(chunk);
    else this.ondata(chunk);
  }

  private drained(): void {
    while (this.unsent.length > 0) {
      const bytes = this.unsent[0]!;
      const written = this.socket.write(bytes);
      if (written < 0) {
        this.unsent = [];
        break;
      }
      if (written < bytes.length) {
        this.unsent[0] = bytes.subarray(written);
        return;
      }
      this.unsent.shift();
    }
    if (this.ending) this.socket.shutdown();
    this.ondrain?.();
  }

  private gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsent = [];
    // What came before the end is still the daemon's answer: hand it over first.
    if (this.ondata) for (const chunk of this.kept.splice(0)) this.ondata(chunk);
    this.onclose?.();
  }
}
