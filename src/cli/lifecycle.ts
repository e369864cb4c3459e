import { readFileSync } from "node:fs";
import { constants } from "node:os";
import { CancelledError } from "../errors.ts";

/** Options of `watchLifecycle`; every field says its default. */
export interface LifecycleOptions {
  /** Also shut down when stdin reaches its end (default false). */
  readonly onStdinEnd?: boolean;
  /**
   * Shut down when hangar's parent process exits (default true: `call`, and `serve` over stdio, follow
   * their client). `serve --http` is a server that outlives the shell that started it, and sets false.
   */
  readonly followParent?: boolean;
  /** How often to check that hangar's parent process is still alive, in ms (default 1000). */
  readonly parentCheckMs?: number;
  /**
   * What SIGHUP does (default "stop": shut down, as for SIGTERM). A function is called instead and hangar
   * keeps running (`serve --http`, where it reloads the config). Either way a SIGHUP
   * that was already ignored when hangar started (`nohup`) stays ignored.
   */
  readonly onHangup?: "stop" | (() => void);
}

/** What `watchLifecycle` returns. */
export interface Lifecycle {
  /** Aborts, with a CancelledError saying why, on the first signal, parent death or (optionally) stdin EOF. */
  readonly signal: AbortSignal;
  /**
   * Aborts on a second SIGINT or SIGTERM after `signal` has: a command that drains on the first
   * (`serve --http`) cancels what still runs at once on this one.
   */
  readonly forced: AbortSignal;
  /** Removes the handlers; until then a second signal never kills hangar by the default action. */
  dispose(): void;
}

/**
 * Turns SIGINT, SIGTERM, SIGHUP, the death of hangar's parent and (optionally) stdin EOF into one abort
 * signal, so a command can cancel its work and stop its providers instead of leaving them orphaned. The
 * handlers stay installed until `dispose`: call it only once every provider is stopped, so a second
 * Ctrl-C cannot kill hangar half-way through stopping them.
 */
export function watchLifecycle(options: LifecycleOptions = {}): Lifecycle {
  const controller = new AbortController();
  const again = new AbortController();
  const stop = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new CancelledError(`Cancelled: ${why}`));
  };
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted && !again.signal.aborted)
      again.abort(new CancelledError(`Cancelled: hangar received ${name} again`));
    stop(`hangar received ${name}`);
  };
  const hangup = options.onHangup ?? "stop";
  const onHangup = hangup === "stop" ? () => onSignal("SIGHUP") : () => hangup();
  const handlers: [NodeJS.Signals, () => void][] = [
    ["SIGINT", () => onSignal("SIGINT")],
    ["SIGTERM", () => onSignal("SIGTERM")],
  ];
  // A handler would override SIG_IGN: under nohup, leave SIGHUP alone.
  if (!ignoredAtStart("SIGHUP")) handlers.push(["SIGHUP", onHangup]);
  for (const [name, handler] of handlers) process.on(name, handler);

  let timer: ReturnType<typeof setInterval> | undefined;
  if (options.followParent ?? true) {
    const parent = process.ppid;
    timer = setInterval(() => {
      if (process.ppid !== parent) stop("hangar's parent process exited");
    }, options.parentCheckMs ?? 1000);
    timer.unref();
  }

  const onEnd = () => stop("stdin closed");
  if (options.onStdinEnd) process.stdin.on("end", onEnd);

  return {
    signal: controller.signal,
    forced: again.signal,
    dispose() {
      clearInterval(timer);
      for (const [name, handler] of handlers) process.off(name, handler);
      process.stdin.off("end", onEnd);
    },
  };
}

/** Whether `name` was ignored (SIG_IGN) when hangar started, as Linux reports it; false where unknown. */
export function ignoredAtStart(name: NodeJS.Signals): boolean {
  const number = constants.signals[name];
  try {
    const mask = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return mask !== undefined && ((BigInt(`0x${mask}`) >> BigInt(number - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}
