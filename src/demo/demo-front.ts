/**
 * The demo provider's stdio front (issue 11). Loading the MCP server SDK and building its schemas for a
 * first message took the demo provider ~70 ms of CPU before it answered anything, on the critical path
 * of every `hangar call` of a demo tool. The front reads stdin line by line and answers at the JSON-RPC
 * envelope level what the SDK would answer the same way every time (demo-answers.ts: a 2026-07-28
 * `server/discover`, `tools/list`, `subscriptions/listen`, and a call of a tool with well-formed
 * arguments, `sleep` included, whose cancellation it honours). The first message it does not answer
 * hands the connection to the SDK for good: the SDK is loaded then, the subscriptions the front
 * acknowledged are replayed to it (their acknowledgements dropped, so it tears them down as it would its
 * own), and that message and every later one go to the SDK's own stdio transport, as raw lines, in order
 * (a sleep still waiting here is answered, or cancelled, here).
 */
import { PassThrough, type Writable } from "node:stream";
import { ENV } from "../knobs.ts";
import {
  type DemoState,
  discoverResult,
  META,
  MODERN_REVISION,
  serverInfoOf,
  sleepResult,
  sleepStart,
  toolCallResult,
  toolsListResult,
} from "./demo-answers.ts";

type Json = Record<string, unknown>;

/** The SDK path once started: `close` ends it as the SDK's `serveStdio` handle does. */
export interface SdkServing {
  close(): Promise<void>;
}

/** What the front needs: the tools' shared state and how to start the SDK path. */
export interface DemoFrontOptions {
  readonly state: DemoState;
  /**
   * Starts the SDK's stdio server reading the lines the front passes on from `input` and writing through
   * `output` (process.stdout, less the replayed subscriptions' acknowledgements).
   */
  startSdk(input: PassThrough, output: Writable): Promise<SdkServing>;
}

const ACKNOWLEDGED = "notifications/subscriptions/acknowledged";
/** What `answerRequest` returns for a request answered later (a `sleep`). */
const LATER = Symbol("later");

/** Serves the demo provider on this process's stdin and stdout until stdin ends or a signal stops it. */
export function runDemoFront(options: DemoFrontOptions): void {
  const { state } = options;
  /** The open `subscriptions/listen` requests the front acknowledged, by id. */
  const listens = new Map<string | number, string>();
  /** The `sleep` calls waiting here, by request id: a cancellation ends one unanswered, as in the SDK. */
  const sleeping = new Map<string | number, ReturnType<typeof setTimeout>>();
  /** Whether a request was answered here (notifications before that are the SDK's). */
  let opened = false;
  let sdk: { input: PassThrough; serving: Promise<SdkServing | undefined> } | undefined;
  let pending = "";
  let unflushed = 0;
  let exiting = false;
  /** `HANGAR_DEMO_FRONT=off`: the SDK answers everything, from the first line on. */
  const frontOn = process.env[ENV.demoFront] !== "off";

  const write = (message: Json) => {
    unflushed++;
    process.stdout.write(`${JSON.stringify(message)}\n`, () => {
      unflushed--;
      if (exiting && unflushed === 0) process.exit(0);
    });
  };

  /** The SDK's output, less the acknowledgements of the subscriptions replayed to it. */
  const sdkOutput = (replayed: Set<string | number>): Writable => {
    const stdout = process.stdout;
    return new Proxy(stdout, {
      get(target, key) {
        if (key === "write")
          return (chunk: string | Uint8Array, ...rest: unknown[]) => {
            if (replayed.size > 0 && typeof chunk === "string" && chunk.includes(ACKNOWLEDGED)) {
              const id = acknowledgedId(chunk);
              if (id !== undefined && replayed.delete(id)) return true;
            }
            return (target.write as (...args: unknown[]) => boolean)(chunk, ...rest);
          };
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };

  const handOver = (line: string) => {
    const input = new PassThrough();
    const replayed = new Set(listens.keys());
    for (const line of listens.values()) input.write(`${line}\n`);
    listens.clear();
    input.write(`${line}\n`);
    const serving = options.startSdk(input, sdkOutput(replayed)).catch((error: unknown) => {
      process.stderr.write(`demo provider: cannot start its MCP server: ${String(error)}\n`);
      process.exit(1);
    });
    sdk = { input, serving };
  };

  const onLine = (line: string) => {
    if (sdk !== undefined) {
      // A cancellation of a sleep still waiting here is this front's; the SDK never saw that request.
      if (sleeping.size > 0 && line.includes("notifications/cancelled")) cancelSleep(parseOrUndefined(line));
      sdk.input.write(`${line}\n`);
      return;
    }
    if (!frontOn) return handOver(line);
    const trimmed = line.endsWith("\r") ? line.slice(0, -1) : line;
    let message: unknown;
    try {
      message = JSON.parse(trimmed);
    } catch {
      return handOver(line); // The SDK reports it (to no one) and reads on.
    }
    if (!answer(message)) handOver(line);
  };

  /** Answers `message` here, or says it is the SDK's (false). */
  const answer = (message: unknown): boolean => {
    if (!isPlain(message) || message.jsonrpc !== "2.0" || typeof message.method !== "string") return false;
    if (!onlyKeys(message, ["jsonrpc", "id", "method", "params"])) return false;
    if (!("id" in message)) {
      // A cancelled listen ends its subscription, a cancelled sleep ends unanswered; a cancel of an
      // answered request changes nothing.
      if (!opened || message.method !== "notifications/cancelled" || !isPlain(message.params)) return false;
      const id = message.params.requestId;
      if (typeof id === "string" || typeof id === "number") listens.delete(id);
      cancelSleep(message);
      return true;
    }
    const id = message.id;
    if (typeof id !== "string" && !Number.isSafeInteger(id)) return false;
    const params = message.params;
    if (!isPlain(params) || !validEnvelope(params._meta)) return false;
    const lines = answerRequest(id as string | number, message.method, params, message);
    if (lines === undefined) return false;
    opened = true;
    if (lines !== LATER) write(lines);
    return true;
  };

  /** Ends the `sleep` a `notifications/cancelled` names, if it waits here, with no answer. */
  const cancelSleep = (message: unknown) => {
    const params = isPlain(message) ? message.params : undefined;
    const id = isPlain(params) ? params.requestId : undefined;
    if (typeof id !== "string" && typeof id !== "number") return;
    clearTimeout(sleeping.get(id));
    sleeping.delete(id);
  };

  const answerRequest = (
    id: string | number,
    method: string,
    params: Json,
    message: Json,
  ): Json | typeof LATER | undefined => {
    switch (method) {
      case "server/discover":
        return onlyKeys(params, ["_meta"]) ? { result: discoverResult(state), jsonrpc: "2.0", id } : undefined;
      case "tools/list":
        return onlyKeys(params, ["_meta"]) ? { result: toolsListResult(state), jsonrpc: "2.0", id } : undefined;
      case "tools/call": {
        if (!onlyKeys(params, ["name", "arguments", "_meta"]) || !isPlain(params.arguments)) return undefined;
        if (params.name === "sleep") {
          if (sleeping.has(id)) return undefined;
          const ms = sleepStart(state, params.arguments);
          if (ms === undefined) return undefined;
          const timer = setTimeout(() => {
            sleeping.delete(id);
            write({ result: sleepResult(state, ms), jsonrpc: "2.0", id });
          }, ms);
          sleeping.set(id, timer);
          return LATER;
        }
        const result = toolCallResult(state, params.name, params.arguments);
        return result === undefined ? undefined : { result, jsonrpc: "2.0", id };
      }
      case "subscriptions/listen": {
        const filter = params.notifications;
        if (!onlyKeys(params, ["_meta", "notifications"]) || !isPlain(filter)) return undefined;
        if (!onlyKeys(filter, ["toolsListChanged"]) || filter.toolsListChanged !== true) return undefined;
        listens.set(id, JSON.stringify(message));
        return {
          jsonrpc: "2.0",
          method: ACKNOWLEDGED,
          // The tools never change (listChanged: false): the SDK honours none of the filter, as here.
          params: { notifications: {}, _meta: { [META.subscriptionId]: id } },
        };
      }
      default:
        return undefined;
    }
  };

  const exit = () => {
    exiting = true;
    if (unflushed === 0) process.exit(0);
  };

  /** Ends the SDK path (as its handle's `close` does) or the front's, then exits. */
  const stop = (teardown: boolean) => {
    if (exiting) return;
    if (sdk !== undefined) {
      exiting = true;
      void sdk.serving.then((serving) => serving?.close()).finally(() => process.exit(0));
      return;
    }
    // As the SDK's close on a signal: each open subscription ends with a complete result.
    if (teardown)
      for (const id of listens.keys())
        write({
          jsonrpc: "2.0",
          id,
          result: {
            resultType: "complete",
            _meta: { [META.subscriptionId]: id, [META.serverInfo]: serverInfoOf(state) },
          },
        });
    exit();
  };

  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== "") onLine(line);
      newline = pending.indexOf("\n");
    }
  });
  const ended = () => {
    const input = sdk?.input;
    if (input === undefined) return stop(false);
    if (input.writableEnded) return;
    // As when the SDK read stdin itself: the lines it was given are read, its transport sees the end,
    // and only then is it closed.
    input.end();
    const close = () => setImmediate(() => stop(false));
    if (input.readableEnded) close();
    else input.once("end", close);
  };
  process.stdin.on("end", ended);
  process.stdin.on("close", ended);
  process.on("SIGTERM", () => stop(true));
  process.on("SIGINT", () => stop(true));
}

function parseOrUndefined(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The id of a `notifications/subscriptions/acknowledged` line, if it is one. */
function acknowledgedId(line: string): string | number | undefined {
  try {
    const message = JSON.parse(line) as { method?: unknown; params?: { _meta?: Record<string, unknown> } };
    if (message.method !== ACKNOWLEDGED) return undefined;
    const id = message.params?._meta?.[META.subscriptionId];
    return typeof id === "string" || typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `meta` is a 2026-07-28 envelope the SDK accepts as it is: the revision, a client info of a name
 * and a version, and no client capabilities (what Hangar's own calls send); anything richer is the SDK's.
 */
function validEnvelope(meta: unknown): boolean {
  if (!isPlain(meta) || !onlyKeys(meta, [META.protocolVersion, META.clientInfo, META.clientCapabilities])) return false;
  if (meta[META.protocolVersion] !== MODERN_REVISION) return false;
  const info = meta[META.clientInfo];
  if (!isPlain(info) || !onlyKeys(info, ["name", "version"])) return false;
  if (typeof info.name !== "string" || typeof info.version !== "string") return false;
  const capabilities = meta[META.clientCapabilities];
  return isPlain(capabilities) && Object.keys(capabilities).length === 0;
}

function isPlain(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether every key of `value` is among `keys` (some may be absent). */
function onlyKeys(value: Json, keys: readonly string[]): boolean {
  for (const key of Object.keys(value)) if (!keys.includes(key)) return false;
  return true;
}
