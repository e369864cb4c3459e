import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { type Clock, systemClock } from "../clock.ts";
import type { Logger } from "../observability/log.ts";
import { RateLimitedLog } from "../observability/rate-limited-log.ts";
import { asJsonRpcMessage } from "./jsonrpc-envelope.ts";
import { LineSplitter, TailBuffer } from "./line-splitter.ts";
import type { ChildProcessHandle, Spawner, SpawnRequest } from "./spawner.ts";

const OPEN_BRACE = 0x7b;

/** Whether `byte` is one JSON allows around a value: space, tab, line feed, carriage return. */
function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** Options of `ProcessTransport`; every field says its default. */
export interface ProcessTransportOptions {
  readonly spawner: Spawner;
  readonly request: SpawnRequest;
  readonly logger: Logger;
  /** Longest accepted stdout line, in bytes (default 16 MiB); a longer one fails the provider. */
  readonly maxLineBytes?: number;
  /** How much of stderr is kept for error messages, in bytes (default 64 KiB). */
  readonly stderrTailBytes?: number;
  /** How long to wait after closing stdin before SIGTERM, and after SIGTERM before SIGKILL (default 2000 ms). */
  readonly killGraceMs?: number;
  /**
   * After stdout ends, how long the process may take to exit before hangar counts the closed stdout itself
   * as the failure (default 500 ms: room for a loaded machine to report the exit): an exiting process
   * reports its exit code, a live one is ended.
   */
  readonly stdoutEofGraceMs?: number;
  /** Every timer of the transport: the graces above and the rate-limited logs' windows (default: the system clock). */
  readonly clock?: Clock;
}

/** The writes due at the next check phase, of every provider. */
const dueThisTurn: (() => void)[] = [];

/**
 * Runs `write` at the event loop's next check phase, in one callback with every other provider's write
 * of this turn: a batch's requests reach its last provider as soon as its first, where one setImmediate
 * per provider let Bun put off the rest of the immediates to a later turn, after I/O (a 50-call batch
 * over 5 providers wrote its last provider's requests 1–8 ms late; issue 11).
 */
function writeThisTurn(write: () => void): void {
  dueThisTurn.push(write);
  if (dueThisTurn.length === 1)
    setImmediate(() => {
      for (const due of dueThisTurn.splice(0)) due();
    });
}

/**
 * An MCP stdio transport over a child process in its own process group. Unlike the SDK's, it caps line
 * length, keeps a bounded stderr tail, skips non-JSON noise on stdout (logging a few lines of it, then a
 * count every 10 s, so a flood costs hangar almost nothing), and closes in three steps: stdin, then
 * SIGTERM to the group, then SIGKILL to the group.
 */
export class ProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcessHandle | undefined;
  private readonly stderrBuffer: TailBuffer;
  private closing: Promise<void> | undefined;
  private drained: Promise<void> | undefined;
  /** Lines sent in this turn, written together by `flushing`. */
  private outbox: string[] = [];
  private flushing: Promise<void> | undefined;
  private failed = false;
  private closed = false;
  private readonly noise: RateLimitedLog;
  private readonly stderrLog: RateLimitedLog;
  private readonly clock: Clock;
  /** Why the process ended, when it ended on its own or was failed by hangar. */
  exitReason: string | undefined;

  constructor(private readonly options: ProcessTransportOptions) {
    this.stderrBuffer = new TailBuffer(options.stderrTailBytes ?? 64 * 1024);
    const { logger, request } = options;
    const clock = options.clock ?? systemClock;
    this.clock = clock;
    const provider = request.providerId;
    this.noise = new RateLimitedLog({
      write: (fields, message) => logger.warn({ provider, ...fields }, message),
      message: "provider wrote a line that is not JSON-RPC to stdout; ignored",
      summary: "provider wrote more lines that are not JSON-RPC to stdout; ignored, not logged",
      clock,
    });
    this.stderrLog = new RateLimitedLog({
      write: (fields, message) => logger.debug({ provider, ...fields }, message),
      message: "provider wrote to stderr",
      summary: "provider wrote more to stderr; not logged",
      burst: 20,
      clock,
    });
  }

  /** The child's process id, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * The last lines the provider wrote to stderr. Also what tells the SDK client this is a stdio transport
   * (it looks for `pid` and `stderr`): there a `server/discover` probe's timeout means a legacy server.
   */
  get stderr(): string {
    return this.stderrBuffer.text();
  }

  /** The last lines the provider wrote to stderr. */
  stderrTail(): string {
    return this.stderrBuffer.text();
  }

  async start(): Promise<void> {
    const { request, logger } = this.options;
    const child = this.options.spawner(request);
    this.child = child;
    const splitter = new LineSplitter(this.options.maxLineBytes ?? 16 * 1024 * 1024);

    child.stdout.on("data", (chunk: Buffer) => {
      if (this.failed) return; // Nothing a provider says after breaking the protocol is trusted.
      try {
        splitter.pushLines(chunk, this.receive);
      } catch (error) {
        this.fail(`it wrote ${(error as Error).message} to stdout`);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderrBuffer.push(chunk);
      if (logger.isLevelEnabled("debug"))
        this.stderrLog.note(() => ({ stderr: chunk.toString("utf8", 0, 1024).trimEnd() }));
    });
    child.stdin.on("error", () => {
      // EPIPE after the child died; the exit handler reports it.
    });
    // A provider that closes stdout can never answer again: if it does not exit at once, that is a crash.
    child.stdout.once("end", () => {
      const timer = this.clock.setTimeout(() => {
        if (this.closing === undefined && !this.failed) this.fail("it closed its stdout but kept running");
      }, this.options.stdoutEofGraceMs ?? 500);
      void child.exited.then(() => this.clock.clearTimeout(timer));
    });
    void child.exited.then(({ code, signal }) => {
      if (this.closing === undefined && this.exitReason === undefined) {
        this.exitReason = signal ? `it was killed by ${signal}` : `it exited with code ${code}`;
      }
      this.noise.flush();
      this.stderrLog.flush();
      this.ended();
    });
  }

  /** Tells the client once that the connection is over (when the process exits, or when hangar fails it). */
  private ended(): void {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.();
  }

  /** One line of stdout, `bytes[start, end)`: a message is handed on, anything else noted as noise. */
  private readonly receive = (bytes: Buffer, start: number, end: number): void => {
    if (this.failed) return;
    let first = start;
    while (first < end && isJsonSpace(bytes[first]!)) first++;
    if (first === end) return;
    // A JSON-RPC message is an object: any other line is noise, known without decoding it.
    if (bytes[first] !== OPEN_BRACE) {
      this.noise.note(() => ({ line: bytes.toString("utf8", first, Math.min(end, first + 200)) }));
      return;
    }
    const text = bytes.toString("utf8", first, end);
    let message: JSONRPCMessage | undefined;
    try {
      message = asJsonRpcMessage(JSON.parse(text));
    } catch {}
    if (message === undefined) {
      this.noise.note(() => ({ line: text.trim().slice(0, 200) }));
      return;
    }
    this.onmessage?.(message);
  };

  /**
   * Ends the provider because it broke the protocol or can no longer answer: pending requests fail at once
   * with the reason, and the process is stopped in the background.
   */
  private fail(reason: string): void {
    this.failed = true;
    this.exitReason = reason;
    this.onerror?.(new Error(`Provider "${this.options.request.providerId}" failed: ${reason}`));
    void this.close();
    this.ended();
  }

  /**
   * Queues `message`; everything sent until the event loop's next check phase goes out in one write (one
   * syscall with many calls in flight: requests that came in one read are sent after chains of promise
   * jobs). Every send of a turn gets the same promise, settled once the write is handed to the OS (or the
   * pipe drained), so a send costs no promise of its own.
   */
  send(message: JSONRPCMessage): Promise<void> {
    const child = this.child;
    if (child === undefined || this.closing !== undefined) return Promise.reject(new Error("not connected"));
    let line: string;
    try {
      line = `${JSON.stringify(message)}\n`;
    } catch (error) {
      return Promise.reject(error);
    }
    this.outbox.push(line);
    // Every provider's write of a turn goes in one check-phase callback (see writeThisTurn).
    this.flushing ??= new Promise<void>((resolve) => writeThisTurn(resolve)).then(() => this.flushOutbox(child));
    return this.flushing;
  }

  private async flushOutbox(child: ChildProcessHandle): Promise<void> {
    this.flushing = undefined;
    if (this.outbox.length === 0) return; // written already, as the transport closed
    const text = this.outbox.length === 1 ? this.outbox[0]! : this.outbox.join("");
    this.outbox = [];
    if (!child.stdin.write(text)) {
      // One shared wait for the pipe to drain (or the child to exit), however many sends are queued.
      this.drained ??= new Promise<void>((resolve) => {
        const done = () => {
          child.stdin.off("drain", done).off("close", done);
          this.drained = undefined;
          resolve();
        };
        child.stdin.on("drain", done).on("close", done);
      });
      await this.drained;
    }
  }

  /** Closes stdin, then escalates to SIGTERM and SIGKILL of the whole process group. */
  close(): Promise<void> {
    this.closing ??= this.shutdown(true);
    return this.closing;
  }

  /**
   * Ends a process nobody needs any more (an abandoned start): SIGTERM to the whole group at once, SIGKILL
   * after the grace, without the polite close of stdin first.
   */
  kill(): Promise<void> {
    this.closing ??= this.shutdown(false);
    return this.closing;
  }

  private async shutdown(politely: boolean): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    const grace = this.options.killGraceMs ?? 2000;
    const exitedWithin = (ms: number) =>
      new Promise<boolean>((resolve) => {
        const timer = this.clock.setTimeout(() => resolve(false), ms);
        void child.exited.then(() => {
          this.clock.clearTimeout(timer);
          resolve(true);
        });
      });
    // What was sent last (a cancellation, say) goes out before stdin closes.
    if (this.outbox.length > 0) child.stdin.write(this.outbox.splice(0).join(""));
    child.stdin.end();
    if (!politely || !(await exitedWithin(grace))) {
      child.killGroup("SIGTERM");
      if (!(await exitedWithin(grace))) {
        child.killGroup("SIGKILL");
        await child.exited;
      }
    }
    // The leader is gone; make sure nothing it started lingers in its group.
    child.killGroup("SIGKILL");
  }
}
