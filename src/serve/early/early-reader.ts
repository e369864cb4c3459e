import type { RecordedAnswers } from "./early-record.ts";
import { earlyRequestOf } from "./early-request.ts";

/** The id the replayed `initialize` carries; the SDK's answer to it is not written (the client has one). */
export const REPLAYED_INITIALIZE_ID = "hangar-early-initialize";
/** A line longer than this is left to the SDK's transport (its size limit and error answer). */
const MAX_EARLY_LINE = 1024 * 1024;

/** What the SDK's transport takes over from the early reader. */
export interface EarlyHandover {
  /** Lines to feed the SDK first, silently: the client's `initialize` (under `REPLAYED_INITIALIZE_ID`) and `initialized`. */
  readonly replay: readonly string[];
  /** The bytes read and not answered, from the first line the early reader left to the SDK. */
  readonly rest: Buffer;
  /** Whether stdin has ended already. */
  readonly ended: boolean;
}

/** Options of `EarlyReader`; every field says its default. */
export interface EarlyReaderOptions {
  /** The SDK path's recorded answers, by the protocol version a client asks for. */
  readonly answers: Readonly<Record<string, RecordedAnswers>>;
  /** Default `process.stdin` and `process.stdout`. */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  /** How long after it starts reading the early reader asks for the SDK anyway, in ms (default 100). */
  readonly patienceMs?: number;
  /** Told each request answered early (default: nobody). */
  readonly onAnswered?: (method: "initialize" | "tools/list") => void;
}

/**
 * Answers a stdio client's first `initialize` and `tools/list` before the SDK and the gateway are
 * loaded, from the answers the SDK path gave to the same start (early-record.ts), and keeps every other
 * byte for the SDK. From the first line it does not answer (any other method, a 2026-07-28 client's
 * `server/discover`, a request with `_meta`, a malformed line, a version not recorded), every later line
 * waits too, so the client sees the answers the SDK path would give, in an order it could give them.
 * `loadNow` resolves when the gateway should load: once `tools/list` is answered, a line waits, stdin
 * ends, or `patienceMs` passed (loading blocks the event loop, so it does not start while the client is
 * still expected to ask). `handOver` stops reading and gives the rest to the SDK's transport.
 */
export class EarlyReader {
  readonly loadNow: Promise<void>;
  private readonly signalLoad: () => void;
  private readonly stdin: NodeJS.ReadableStream;
  private readonly stdout: NodeJS.WritableStream;
  private pending: Buffer = Buffer.alloc(0);
  private answering = true;
  private ended = false;
  private initialize: { line: Record<string, unknown>; answers: RecordedAnswers } | undefined;
  private initialized: string | undefined;
  private readonly timer: ReturnType<typeof setTimeout>;
  /** Whether it answered a `tools/list`. */
  answeredToolsList = false;

  constructor(private readonly options: EarlyReaderOptions) {
    this.stdin = options.stdin ?? process.stdin;
    this.stdout = options.stdout ?? process.stdout;
    const { promise, resolve } = Promise.withResolvers<void>();
    this.loadNow = promise;
    this.signalLoad = resolve;
    this.timer = setTimeout(resolve, options.patienceMs ?? 100);
    this.stdin.on("data", this.onData);
    this.stdin.on("end", this.onEnd);
  }

  /** Stops reading; what was read and not answered, and the handshake to replay, go to the SDK's transport. */
  handOver(): EarlyHandover {
    clearTimeout(this.timer);
    this.signalLoad();
    this.stdin.off("data", this.onData);
    this.stdin.off("end", this.onEnd);
    this.answering = false;
    const replay = this.initialize
      ? [
          JSON.stringify({ ...this.initialize.line, id: REPLAYED_INITIALIZE_ID }),
          ...(this.initialized ? [this.initialized] : []),
        ]
      : [];
    return { replay, rest: this.pending, ended: this.ended };
  }

  private readonly onEnd = () => {
    this.ended = true;
    this.signalLoad();
  };

  private readonly onData = (chunk: Buffer | string) => {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (this.answering) {
      const newline = this.pending.indexOf(10);
      if (newline === -1) {
        if (this.pending.length > MAX_EARLY_LINE) this.leave();
        return;
      }
      const line = this.pending.subarray(0, newline).toString("utf8").replace(/\r$/, "");
      if (line.trim() !== "" && !this.answer(line)) {
        this.leave();
        return;
      }
      this.pending = this.pending.subarray(newline + 1);
    }
  };

  /** Leaves this line and every later one to the SDK. */
  private leave(): void {
    this.answering = false;
    this.signalLoad();
  }

  /** Answers (or keeps for the replay) one line; false when the SDK must have it. */
  private answer(line: string): boolean {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return false;
    }
    const request = earlyRequestOf(message);
    if (request === undefined) return false;
    if (request.kind === "initialize") {
      const answers = this.options.answers[request.version];
      if (this.initialize || answers === undefined) return false;
      this.initialize = { line: message as Record<string, unknown>, answers };
      this.send(request.id, answers.initialize);
      this.options.onAnswered?.("initialize");
      return true;
    }
    if (this.initialize === undefined) return false;
    if (request.kind === "initialized") {
      if (this.initialized !== undefined) return false;
      this.initialized = line;
      return true;
    }
    if (this.initialized === undefined) return false;
    this.send(request.id, this.initialize.answers.tools);
    this.answeredToolsList = true;
    this.options.onAnswered?.("tools/list");
    this.signalLoad();
    return true;
  }

  private send(id: string | number, result: unknown): void {
    this.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", id, result })}\n`);
  }
}
