import { type OutputSink, stdinStream, stdoutSink } from "../../runtime/index.ts";
import type { DaemonLink } from "./daemon-link.ts";
import { ResponseIds } from "./response-ids.ts";

/** What `runBridge` needs; every field says its default. */
export interface BridgeOptions {
  /** The connection to the daemon, attached already (hello sent). */
  readonly socket: DaemonLink;
  /** Attaches again after the daemon went away, starting a new one when none runs. */
  attach(): Promise<DaemonLink>;
  /** Aborts when the client is gone (a signal, hangar's parent exited): the connection is dropped at once. */
  readonly signal: AbortSignal;
  /** The client's bytes (default: standard input, `stdinStream()`). */
  readonly stdin?: ReadableStream<Uint8Array>;
  /** Default: standard output, `stdoutSink()`. */
  readonly stdout?: OutputSink;
  /** Told what the user should know, one sentence (default: a line on stderr). */
  readonly notice?: (message: string) => void;
}

/** The id the bridge gives the `initialize` it replays to a new daemon; its answer never reaches the client. */
const REPLAY_ID = '"hangar-bridge-reattach"';
const DAEMON_GONE =
  "transport_error: the shared Hangar daemon went away while this request ran (it may or may not have taken effect); the next request starts a new daemon";
const BRIDGE_STOPPED =
  "cancelled: this hangar serve --shared was stopped while the request ran (its client closed it); the shared daemon cancelled the request";

/**
 * `hangar serve --shared`: the client's stdio piped to the shared daemon's socket and back, nearly
 * untouched, on Bun's own stdin, stdout and socket under Bun (no node streams on the path of every
 * message). Client lines go out whole; the daemon's bytes are written as they come, one write each.
 * To never leave a request hanging, the bridge keeps the ids of the client's requests (it parses only client lines that
 * hold `"method"`) and crosses them off as the daemon's responses go by (seen from a line's first bytes,
 * see response-ids.ts). When the daemon goes away, every request still open is answered with a
 * `transport_error` (a tool call as an `isError` result, anything else as a JSON-RPC error); the next
 * line from the client attaches again (starting a new daemon) and replays the client's `initialize`
 * and `notifications/initialized` first, so the session goes on. Subscriptions and the log level set
 * on the old daemon are not replayed.
 */
export async function runBridge(options: BridgeOptions): Promise<void> {
  const stdin = options.stdin ?? (await stdinStream());
  const stdout = options.stdout ?? stdoutSink();
  const notice = options.notice ?? ((message: string) => process.stderr.write(`hangar: ${message}\n`));
  /** The client's requests not answered yet: id (as JSON) → method. */
  const open = new Map<string, string>();
  let socket: DaemonLink | undefined;
  let connecting: Promise<void> | undefined;
  let queued: Uint8Array[] = [];
  let initialize: Record<string, unknown> | undefined;
  let initialized: string | undefined;
  let stdinEnded = false;
  let ids = new ResponseIds(answered);
  const finished = Promise.withResolvers<void>();
  /** Resolves when the daemon took what it was sent (while it has not, stdin is not read). */
  let drained: ReturnType<typeof Promise.withResolvers<void>> | undefined;
  /** The client is gone (a signal, its stdout closed): the connection is dropped at once. */
  let clientLeft = false;
  function clientGone(): void {
    clientLeft = true;
    stdinEnded = true;
    socket?.destroy();
    finished.resolve();
  }
  /** Once stdin ended and every open request is answered, the connection is closed. */
  function answered(id: string): void {
    open.delete(id);
    if (stdinEnded && open.size === 0) socket?.end();
  }

  const track = (line: Buffer) => {
    if (line.indexOf(METHOD) === -1) return;
    let message: { id?: unknown; method?: unknown; params?: { requestId?: unknown } };
    try {
      message = JSON.parse(line.toString("utf8"));
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null || typeof message.method !== "string") return;
    if ("id" in message) {
      open.set(JSON.stringify(message.id), message.method);
      if (message.method === "initialize") initialize = message as Record<string, unknown>;
    } else if (message.method === "notifications/initialized") initialized = line.toString("utf8");
    else if (message.method === "notifications/cancelled") open.delete(JSON.stringify(message.params?.requestId));
  };

  /** Writes to the client now; while it does not keep up, the daemon's bytes wait in the kernel. */
  const output = (data: Uint8Array | string) => {
    let flushed: unknown;
    try {
      stdout.write(data);
      flushed = stdout.flush();
    } catch {
      return clientGone();
    }
    if (!(flushed instanceof Promise)) return;
    const link = socket;
    link?.pause();
    flushed.then(() => link?.resume(), clientGone);
  };

  /**
   * Answers every open request once the connection is gone: the daemon went away, or (`clientLeft`) the
   * bridge itself was stopped, when its client may still read what it is told but the daemon is fine.
   */
  const failOpen = () => {
    let text = ids.atLineStart ? "" : "\n";
    const why = JSON.stringify(clientLeft ? BRIDGE_STOPPED : DAEMON_GONE);
    for (const [id, method] of open) {
      const answer =
        method === "tools/call"
          ? `"result":{"content":[{"type":"text","text":${why}}],"isError":true}`
          : `"error":{"code":-32000,"message":${why}}`;
      text += `{"jsonrpc":"2.0","id":${id},${answer}}\n`;
    }
    if (open.size > 0 && !clientLeft) notice(`the shared daemon went away; ${open.size} running request(s) failed`);
    open.clear();
    ids = new ResponseIds(answered);
    if (text !== "") output(text);
  };

  const onDaemonData = (chunk: Buffer) => {
    output(chunk);
    ids.feed(chunk);
  };

  const use = (next: DaemonLink) => {
    socket = next;
    next.ondata = onDaemonData;
    next.onclose = () => {
      if (socket !== next) return;
      socket = undefined;
      drained?.resolve();
      failOpen();
      if (stdinEnded) finished.resolve();
    };
    next.ondrain = () => drained?.resolve();
    if (next.isClosed) next.onclose();
  };

  /** Sends to the daemon; when the OS did not take it all, stdin waits for the drain. */
  const send = (link: DaemonLink, data: Uint8Array) => {
    if (!link.write(data)) drained ??= Promise.withResolvers<void>();
  };

  const connect = async () => {
    let next: DaemonLink;
    let early: Buffer | undefined;
    try {
      // A daemon that was just killed may still accept a connection and drop it: try a new one twice more.
      for (let attempt = 1; ; attempt++) {
        next = await options.attach();
        if (initialize === undefined) break;
        try {
          early = await replayInitialize(next, initialize, initialized);
          break;
        } catch (error) {
          if (attempt === 3) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        }
      }
    } catch (error) {
      queued = [];
      failOpen();
      notice(error instanceof Error ? error.message : String(error));
      if (stdinEnded) finished.resolve();
      return;
    }
    use(next);
    if (early !== undefined && early.length > 0) onDaemonData(early);
    next.resume();
    const waiting = queued;
    queued = [];
    if (waiting.length > 0) send(next, Buffer.concat(waiting));
    if (stdinEnded && open.size === 0) next.end();
  };

  const write = (data: Uint8Array) => {
    if (socket !== undefined && connecting === undefined) return send(socket, data);
    queued.push(data);
    connecting ??= connect().finally(() => (connecting = undefined));
  };

  let partial: Buffer | undefined;
  const onStdin = (chunk: Uint8Array) => {
    const data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const last = data.lastIndexOf(10);
    if (last === -1) {
      partial = partial === undefined ? Buffer.from(data) : Buffer.concat([partial, data]);
      return;
    }
    const whole =
      partial === undefined ? data.subarray(0, last + 1) : Buffer.concat([partial, data.subarray(0, last + 1)]);
    partial = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : undefined;
    let start = 0;
    for (let newline = whole.indexOf(10); newline !== -1; newline = whole.indexOf(10, start)) {
      track(whole.subarray(start, newline));
      start = newline + 1;
    }
    write(whole);
  };
  const onStdinEnd = () => {
    stdinEnded = true;
    if (connecting !== undefined) return;
    if (socket === undefined) finished.resolve();
    else if (open.size === 0) socket.end();
  };

  const reader = stdin.getReader();
  const onAbort = () => clientGone();
  if (options.signal.aborted) onAbort();
  options.signal.addEventListener("abort", onAbort, { once: true });

  use(options.socket);
  options.socket.resume();
  const reading = (async () => {
    try {
      for (;;) {
        if (drained !== undefined) {
          await drained.promise;
          drained = undefined;
        }
        const { value, done } = await reader.read();
        if (done) break;
        onStdin(value);
      }
    } catch {
      // stdin failed: as if it ended.
    }
    onStdinEnd();
  })();
  await finished.promise;
  options.signal.removeEventListener("abort", onAbort);
  await reader.cancel().catch(() => {});
  await reading;
  await Promise.resolve(stdout.flush()).catch(() => {});
}

/** What marks a client line that may be a request or a notification the bridge follows. */
const METHOD = Buffer.from('"method"');

/**
 * Opens the client's session again on a new daemon: its `initialize` (under the bridge's own id; the
 * answer is read here and dropped) and its `notifications/initialized`. Resolves with what the daemon
 * sent after that answer; the socket is left paused.
 */
async function replayInitialize(
  socket: DaemonLink,
  initialize: Record<string, unknown>,
  initialized: string | undefined,
): Promise<Buffer> {
  const { id: _, ...request } = initialize;
  socket.write(`${JSON.stringify({ ...request, id: JSON.parse(REPLAY_ID) })}\n`);
  const rest = await new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    socket.ondata = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const newline = got.indexOf(10);
      if (newline === -1) return;
      socket.pause();
      socket.ondata = undefined;
      socket.onclose = undefined;
      resolve(Buffer.from(got.subarray(newline + 1)));
    };
    socket.onclose = () => reject(new Error("the new shared daemon closed the connection during initialize"));
    socket.resume();
  });
  if (initialized !== undefined) socket.write(`${initialized}\n`);
  return rest;
}
