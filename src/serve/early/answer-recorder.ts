import { type EarlyRecord, type RecordedSource, readRecord, writeRecord } from "./early-record.ts";
import { earlyRequestOf } from "./early-request.ts";
import { startKeyOf } from "./start-key.ts";

/** What a stdio transport tells about the messages it reads and writes. */
export interface TransportObserver {
  received(message: unknown): void;
  sent(message: unknown): void;
}

/** Options of `AnswerRecorder`. */
export interface AnswerRecorderOptions {
  /** This start's key (start-key.ts). */
  readonly key: string;
  /** The config file the key was made of: a record is written only while the key still holds. */
  readonly configPath: string;
  readonly file: string;
  /**
   * The exposed providers' cache files and the hashes of their tools, when the tools the front lists now
   * are exactly those files' (no reload since the start, no pinning that withholds, no live listing that
   * differs); undefined when not, and nothing is recorded.
   */
  readonly sources: () => readonly RecordedSource[] | undefined;
}

/**
 * Records what the SDK path answered a 2025 client's `initialize` and the `tools/list` after it (only
 * messages the early reader would answer, early-request.ts), for the early reader of the next start with
 * the same key. Writes only when the record changes.
 */
export class AnswerRecorder implements TransportObserver {
  private readonly asked = new Map<string | number, { kind: "initialize"; version: string } | { kind: "tools/list" }>();
  private initializeAsked = false;
  private initialize: { version: string; result: unknown } | undefined;
  private done = false;

  constructor(private readonly options: AnswerRecorderOptions) {}

  received(message: unknown): void {
    if (this.done) return;
    const request = earlyRequestOf(message);
    if (request === undefined || request.kind === "initialized") return;
    if (request.kind === "initialize" && !this.initializeAsked) {
      this.initializeAsked = true;
      this.asked.set(request.id, { kind: "initialize", version: request.version });
    } else if (request.kind === "tools/list" && this.initializeAsked) this.asked.set(request.id, request);
  }

  sent(message: unknown): void {
    if (this.done || typeof message !== "object" || message === null) return;
    const { id, result } = message as { id?: string | number; result?: unknown };
    const asked = id === undefined ? undefined : this.asked.get(id);
    if (asked === undefined || id === undefined) return;
    this.asked.delete(id);
    if (result === undefined) this.done = true;
    else if (asked.kind === "initialize") this.initialize = { version: asked.version, result };
    else if (this.initialize !== undefined) {
      this.done = true;
      const { version, result: initialize } = this.initialize;
      // After the answer is written: the checks read every exposed provider's cache file.
      setImmediate(() => this.record(version, { initialize, tools: result }));
    }
  }

  private record(version: string, answers: EarlyRecord["answers"][string]): void {
    const { key, file, configPath } = this.options;
    const sources = this.options.sources();
    // The config or the pinning lock changed since the start: these answers are not of this key.
    if (sources === undefined || startKeyOf({ configPath }) !== key) return;
    const before = readRecord(file);
    const kept =
      before?.key === key && JSON.stringify(before.sources) === JSON.stringify(sources) ? before.answers : {};
    if (JSON.stringify(kept[version]) === JSON.stringify(answers)) return;
    writeRecord(file, { key, sources, answers: { ...kept, [version]: answers } });
  }
}
