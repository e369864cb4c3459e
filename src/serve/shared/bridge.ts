import type { Socket } from "node:net";
import { ResponseIds } from "./response-ids.ts";

/** What `runBridge` needs; every field says its default. */
export interface BridgeOptions {
  /** The connection to the daemon, attached already (hello sent). */
  readonly socket: Socket;
  /** Attaches again after the daemon went away, starting a new one when none runs. */
  attach(): Promise<Socket>;
  /** Aborts when the client is gone (a signal, hangar's parent exited): the connection is dropped at once. */
  readonly signal: AbortSignal;
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  /** Told what the user should know, one sentence (default: a line on stderr). */
  readonly notice?: (message: string) => void;
}

/** The id the bridge gives the `initialize` it replays to a new daemon; its answer never reaches the client. */
const REPLAY_ID = '"hangar-bridge-reattach"';
const DAEMON_GONE =
  "transport_error: the shared Hangar daemon went away while this request ran (it may or may not have taken effect); the next request starts a new daemon";

/**
 * `hangar serve --shared`: the client's stdio piped to the shared daemon's socket and back, nearly
 * untouched. Client lines go out whole; the daemon's bytes are written as they come. To never leave a
 * request hanging, the bridge keeps the ids of the client's requests (it parses only client lines that
 * hold `"method"`) and crosses them off as the daemon's responses go by (seen from a line's first bytes,
 * see response-ids.ts). When the daemon goes away, every request still open is answered with a
 * `transport_error` (a tool call as an `isError` result, anything else as a JSON-RPC error); the next
 * line from the client attaches again (starting a new daemon) and replays the client's `initialize`
 * and `notifications/initialized` first, so the session goes on. Subscriptions and the log level set
 * on the old daemon are not replayed.
 */
export async function runBridge(options: BridgeOptions): Promise<void> {
  const stdin: NodeJS.ReadableStream = options.stdin ?? process.stdin;
  const stdout: NodeJS.WritableStream = options.stdout ?? process.stdout;
  const notice = options.notice ?? ((message: string) => process.stderr.write(`hangar: ${message}\n`));
  /** The client's requests not answered yet: id (as JSON) → method. */
  const open = new Map<string, string>();
  let socket: Socket | undefined;
  let connecting: Promise<void> | undefined;
  let queued: Buffer[] = [];
  let partial = Buffer.alloc(0);
  let initialize: Record<string, unknown> | undefined;
  let initialized: string | undefined;
  let stdinEnded = false;
  let ids = new ResponseIds(answered);
  const finished = Promise.withResolvers<void>();
  /** Once stdin ended and every open request is answered, the connection is closed. */
  function answered(id: string): void {
    open.delete(id);
    if (stdinEnded && open.size === 0) socket?.end();
  }

  const track = (line: Buffer) => {
    if (line.indexOf('"method"') === -1) return;
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

  const failOpen = () => {
    let text = ids.atLineStart ? "" : "\n";
    for (const [id, method] of open) {
      const answer =
        method === "tools/call"
          ? `"result":{"content":[{"type":"text","text":${JSON.stringify(DAEMON_GONE)}}],"isError":true}`
          : `"error":{"code":-32000,"message":${JSON.stringify(DAEMON_GONE)}}`;
      text += `{"jsonrpc":"2.0","id":${id},${answer}}\n`;
    }
    if (open.size > 0) notice(`the shared daemon went away; ${open.size} running request(s) failed`);
    open.clear();
    ids = new ResponseIds(answered);
    if (text !== "") stdout.write(text);
  };

  const onDaemonData = (chunk: Buffer) => {
    stdout.write(chunk);
    ids.feed(chunk);
  };

  const use = (next: Socket) => {
    socket = next;
    next.on("data", onDaemonData);
    next.on("error", () => {});
    next.on("close", () => {
      if (socket !== next) return;
      socket = undefined;
      failOpen();
      if (stdinEnded) finished.resolve();
    });
    next.on("drain", () => stdin.resume());
  };

  const connect = async () => {
    let next: Socket;
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
    if (waiting.length > 0 && !next.write(Buffer.concat(waiting))) stdin.pause();
    if (stdinEnded && open.size === 0) next.end();
  };

  const write = (data: Buffer) => {
    if (socket !== undefined && connecting === undefined) {
      if (!socket.write(data)) stdin.pause();
      return;
    }
    queued.push(data);
    connecting ??= connect().finally(() => (connecting = undefined));
  };

  stdin.on("data", (chunk: Buffer | string) => {
    const data = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    const last = data.lastIndexOf(10);
    if (last === -1) {
      partial = Buffer.concat([partial, data]);
      return;
    }
    const whole =
      partial.length > 0 ? Buffer.concat([partial, data.subarray(0, last + 1)]) : data.subarray(0, last + 1);
    partial = Buffer.from(data.subarray(last + 1));
    for (const line of splitLines(whole)) track(line);
    write(whole);
  });
  stdin.on("end", () => {
    stdinEnded = true;
    if (connecting !== undefined) return;
    if (socket === undefined) finished.resolve();
    else if (open.size === 0) socket.end();
  });
  const onAbort = () => {
    socket?.destroy();
    finished.resolve();
  };
  if (options.signal.aborted) onAbort();
  options.signal.addEventListener("abort", onAbort, { once: true });

  use(options.socket);
  await finished.promise;
  options.signal.removeEventListener("abort", onAbort);
  stdin.pause();
  await new Promise<void>((resolve) => stdout.write("", () => resolve()));
}

/** The lines of `data` (each without its newline). */
function splitLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10, start)) {
    lines.push(data.subarray(start, newline));
    start = newline + 1;
  }
  return lines;
}

/**
 * Opens the client's session again on a new daemon: its `initialize` (under the bridge's own id; the
 * answer is read here and dropped) and its `notifications/initialized`. Resolves with what the daemon
 * sent after that answer; the socket is left paused.
 */
async function replayInitialize(
  socket: Socket,
  initialize: Record<string, unknown>,
  initialized: string | undefined,
): Promise<Buffer> {
  const { id: _, ...request } = initialize;
  socket.write(`${JSON.stringify({ ...request, id: JSON.parse(REPLAY_ID) })}\n`);
  const rest = await new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const newline = got.indexOf(10);
      if (newline === -1) return;
      socket.off("data", onData);
      socket.off("close", onClose);
      socket.pause();
      resolve(Buffer.from(got.subarray(newline + 1)));
    };
    const onClose = () => reject(new Error("the new shared daemon closed the connection during initialize"));
    socket.on("data", onData);
    socket.on("close", onClose);
  });
  if (initialized !== undefined) socket.write(`${initialized}\n`);
  return rest;
}
