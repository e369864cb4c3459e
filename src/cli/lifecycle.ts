import { CancelledError } from "../errors.ts";

/** Options of `watchLifecycle`; every field says its default. */
export interface LifecycleOptions {
  /** Also shut down when stdin reaches its end (default false; `serve` sets it). */
  readonly onStdinEnd?: boolean;
  /** How often to check that hangar's parent process is still alive, in ms (default 1000). */
  readonly parentCheckMs?: number;
}

/**
 * Turns SIGINT, SIGTERM, SIGHUP, the death of hangar's parent and (optionally) stdin EOF into one abort
 * signal, so a command can cancel its work and stop its providers instead of leaving them orphaned.
 */
export function watchLifecycle(options: LifecycleOptions = {}): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new CancelledError(`Cancelled: ${why}`));
  };
  const onSignal = (name: NodeJS.Signals) => stop(`hangar received ${name}`);
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const name of signals) process.on(name, onSignal);

  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop("hangar's parent process exited");
  }, options.parentCheckMs ?? 1000);
  timer.unref();

  const onEnd = () => stop("stdin closed");
  if (options.onStdinEnd) process.stdin.on("end", onEnd);

  return {
    signal: controller.signal,
    dispose() {
      clearInterval(timer);
      for (const name of signals) process.off(name, onSignal);
      process.stdin.off("end", onEnd);
    },
  };
}
