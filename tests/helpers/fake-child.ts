// A provider's stdio transport over a fake child process: what the byte-layer and write-coalescing tests
// drive without spawning anything.
import type { EventEmitter } from "node:events";
import { PassThrough, Writable } from "node:stream";
import { silentLogger } from "../../src/observability/log.ts";
import type { ChildProcessHandle } from "../../src/providers/spawner.ts";
import { ProcessTransport } from "../../src/providers/stdio-transport.ts";

/** A writable that records each write it gets. */
export function recordingSink(): { sink: Writable; writes: string[] } {
  const writes: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { sink, writes };
}

/**
 * A `ProcessTransport` (not started) of provider `id` over a child that never exits, whose stdin is `stdin`
 * and whose stdout is `stdout` (the test emits its chunks) or a silent stream.
 */
export function fakeChildTransport(
  stdin: Writable,
  options: { id?: string; stdout?: EventEmitter; maxLineBytes?: number } = {},
): ProcessTransport {
  const child = {
    pid: 1,
    stdin,
    stdout: options.stdout ?? new PassThrough(),
    stderr: new PassThrough(),
    exited: new Promise(() => {}),
    killGroup: () => {},
  } as unknown as ChildProcessHandle;
  return new ProcessTransport({
    spawner: () => child,
    request: { providerId: options.id ?? "p", command: "x", args: [], env: {}, cwd: undefined },
    logger: silentLogger,
    ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
  });
}

/** The JSON-RPC ids of the messages one write carried, in order. */
export function idsIn(write: string): unknown[] {
  return write
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { id?: unknown }).id);
}
