import { HangarError } from "../errors.ts";

/** Whoever read hangar's stdout went away (EPIPE, e.g. `hangar call … | head -1`): stop quietly. */
export class StdoutClosedError extends HangarError {
  override name = "StdoutClosedError";
}

/** Writes `text` to stdout and waits until it is flushed; rejects with StdoutClosedError when the reader is gone. */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => reject(isEpipe(error) ? new StdoutClosedError("stdout was closed") : error);
    try {
      process.stdout.write(text, (error) => (error ? fail(error) : resolve()));
    } catch (error) {
      fail(error);
    }
  });
}

/** Keeps a late EPIPE on stdout from crashing hangar with a stack trace; the next write reports it. */
export function ignoreStdoutEpipe(): void {
  process.stdout.on("error", (error) => {
    if (!isEpipe(error)) throw error;
  });
}

function isEpipe(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === "EPIPE";
}
