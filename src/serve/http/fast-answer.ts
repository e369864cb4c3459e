import type { JSONRPCMessage } from "@modelcontextprotocol/server";

const encoder = new TextEncoder();

/** One message as the SDK's session transport writes it on an SSE stream. */
function event(message: JSONRPCMessage): Uint8Array {
  return encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
}

/** The headers of an answer as JSON and as an event stream. */
export interface AnswerHeaders {
  readonly json: Headers;
  readonly sse: Headers;
}

/**
 * The headers the SDK sends with an answer: `sessionId` in `Mcp-Session-Id`; sessionless 2026 streams
 * unbuffered. Built once per session (or once for 2026 requests): a Response copies a `Headers` it is
 * given at a fraction of the cost of building one from a plain object.
 */
export function answerHeaders(sessionId: string | undefined, modern: boolean): AnswerHeaders {
  const session: Record<string, string> = sessionId === undefined ? {} : { "mcp-session-id": sessionId };
  return {
    json: new Headers({ "content-type": "application/json", ...session }),
    sse: new Headers({
      "content-type": "text/event-stream",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      ...session,
      // The SDK's sessionless 2026 streams ask proxies not to buffer them.
      ...(modern ? { "x-accel-buffering": "no" } : {}),
    }),
  };
}

/**
 * The HTTP response to one fast-routed request of a 2025 session, chosen as single-answer.ts chooses it
 * for the SDK path: plain JSON when the answer is the first thing to send, an SSE stream when something
 * comes first (progress, a provider's log, sampling or elicitation request), carrying those messages
 * and then the answer. A request that ends without an answer (cancelled, its session closed) gets an
 * event stream that ends empty, as the SDK's stream would.
 */
export class FastAnswer {
  /** Resolves with the response as soon as its kind is known. */
  readonly response: Promise<Response>;
  private readonly resolve: (response: Response) => void;
  private stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  private done = false;

  /**
   * `answerHeaders` go out with the response (`answerHeaders()`: the session's id, as the SDK sends it). A
   * `modern` (sessionless 2026) answer that is a -32021 error goes out with status 400, as the SDK's
   * handler sends it.
   */
  constructor(
    private readonly answerHeaders: AnswerHeaders,
    private readonly modern = false,
  ) {
    const { promise, resolve } = Promise.withResolvers<Response>();
    this.response = promise;
    this.resolve = resolve;
  }

  /** A message for the client before the answer: the response becomes an event stream from here on. */
  send(message: JSONRPCMessage): void {
    if (this.done) return;
    if (this.stream === undefined) this.open();
    try {
      this.stream?.enqueue(event(message));
    } catch {
      // The client went away; the call goes on and its answer is dropped, as on the SDK path.
    }
  }

  /** The answer (undefined: none), and the end of the response. */
  end(answer: JSONRPCMessage | undefined): void {
    if (this.done) return;
    if (this.stream === undefined) {
      this.done = true;
      if (answer !== undefined)
        this.resolve(
          new Response(JSON.stringify(answer), { status: this.status(answer), headers: this.headers("json") }),
        );
      else this.resolve(new Response("", { status: 200, headers: this.headers("sse") }));
      return;
    }
    if (answer !== undefined) this.send(answer);
    this.done = true;
    try {
      this.stream.close();
    } catch {
      // Already cancelled by the client.
    }
  }

  private status(answer: JSONRPCMessage): number {
    return this.modern && "error" in answer && answer.error.code === -32021 ? 400 : 200;
  }

  private open(): void {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.stream = controller;
      },
      cancel: () => {
        this.done = true;
      },
    });
    this.resolve(new Response(body, { status: 200, headers: this.headers("sse") }));
  }

  private headers(kind: "json" | "sse"): Headers {
    return this.answerHeaders[kind];
  }
}
