/**
 * The live lines `hangar call` shows on a terminal while providers start (`starting files (npx) … 12 s`),
 * so that a slow first start (an `npx` download) is not silent. Drawn in place on stderr and erased
 * before anything else is written: before each result row, and, as a recorder, the moment a start ends
 * (before the pool logs a failed start).
 */
import * as nodePath from "node:path";
import { type Clock, systemClock } from "../clock.ts";
import type { ResolvedProvider } from "../config/index.ts";
import { type GatewayRecorder, noopRecorder } from "../observability/recorder.ts";

/** What the display reads of a provider: its config and whether it is starting now. */
export interface StartingSource {
  readonly config: ResolvedProvider;
  readonly state: string;
}

/** A terminal stream the lines are drawn on. */
export interface ProgressStream {
  write(text: string): unknown;
}

/** Options of `StartProgress`; every field says its default. */
export interface StartProgressOptions {
  /** Where to draw (default process.stderr). */
  readonly stream?: ProgressStream;
  /** Time and timers (default the system clock). */
  readonly clock?: Clock;
  /** A start is shown once it has taken this long (default 1000 ms: quick starts never flicker). */
  readonly quietMs?: number;
  /** How often the lines are redrawn (default 250 ms). */
  readonly intervalMs?: number;
}

/** How a provider is started, in a word: the program of a stdio provider, `docker`, or `http`. */
export function launcherOf(provider: ResolvedProvider): string {
  const t = provider.transport;
  if (t.kind === "stdio") return nodePath.basename(t.command);
  return t.kind;
}

/** The line of one start that has taken `elapsedMs` so far. */
export function startingLine(provider: ResolvedProvider, elapsedMs: number): string {
  return `starting ${provider.id} (${launcherOf(provider)}) … ${Math.floor(elapsedMs / 1000)} s`;
}

/** The live display; `recorder` clears it the moment a start ends. Dispose it to stop and erase it. */
export class StartProgress implements Disposable {
  /** Tell the gateway's recorder this, so that a start's end erases the lines before anything is logged. */
  readonly recorder: GatewayRecorder;
  private readonly stream: ProgressStream;
  private readonly clock: Clock;
  private readonly quietMs: number;
  private readonly intervalMs: number;
  private readonly since = new Map<string, number>();
  private sources: readonly StartingSource[] = [];
  private shown: string[] = [];
  private timer: unknown;
  private closed = false;

  constructor(options: StartProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.clock = options.clock ?? systemClock;
    this.quietMs = options.quietMs ?? 1000;
    this.intervalMs = options.intervalMs ?? 250;
    const ended = (provider: string) => {
      this.since.delete(provider);
      this.clear();
    };
    this.recorder = { ...noopRecorder, providerStarted: ended, providerStartFailed: ended };
  }

  /** Starts watching `sources` (the gateway's provider handles). */
  watch(sources: Iterable<StartingSource>): void {
    this.sources = [...sources];
    this.schedule();
  }

  /** Erases the lines now (they come back at the next redraw if starts are still running). */
  clear(): void {
    if (this.shown.length === 0) return;
    this.stream.write(`\x1b[${this.shown.length}A\r\x1b[J`);
    this.shown = [];
  }

  /** Redraws the lines from the sources' states now. */
  draw(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const lines: string[] = [];
    for (const source of this.sources) {
      const id = source.config.id;
      if (source.state !== "starting") {
        this.since.delete(id);
        continue;
      }
      const since = this.since.get(id) ?? now;
      this.since.set(id, since);
      if (now - since >= this.quietMs) lines.push(startingLine(source.config, now - since));
    }
    if (lines.join("\n") === this.shown.join("\n")) return;
    const erase = this.shown.length === 0 ? "" : `\x1b[${this.shown.length}A\r\x1b[J`;
    this.stream.write(`${erase}${lines.map((line) => `${line}\n`).join("")}`);
    this.shown = lines;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.draw();
      this.schedule();
    }, this.intervalMs);
  }

  [Symbol.dispose](): void {
    this.closed = true;
    this.clock.clearTimeout(this.timer);
    this.clear();
  }
}
