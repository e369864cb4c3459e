import { bun } from "./host.ts";

/** Where bytes for standard output go: written at once with `flush`. */
export interface OutputSink {
  write(chunk: Uint8Array | string): unknown;
  /** Writes what `write` kept; a promise while the reader does not keep up (rejected once it is gone). */
  flush(): number | Promise<number> | undefined;
}

/** Standard input as a web stream of bytes: Bun's own (`Bun.stdin.stream()`), else node's process.stdin. */
export async function stdinStream(): Promise<ReadableStream<Uint8Array>> {
  if (bun) return bun.stdin.stream();
  const { Readable } = await import("node:stream");
  return Readable.toWeb(process.stdin) as unknown as ReadableStream<Uint8Array>;
}

/** Standard output as a sink: Bun's own (`Bun.stdout.writer()`), else node's process.stdout. */
export function stdoutSink(): OutputSink {
  if (bun) return bun.stdout.writer();
  let pending: Promise<number> | undefined;
  return {
    write(chunk) {
      if (!process.stdout.write(chunk))
        pending ??= new Promise((resolve) => process.stdout.once("drain", () => resolve(0))).finally(
          () => (pending = undefined),
        ) as Promise<number>;
    },
    flush: () => pending ?? 0,
  };
}
