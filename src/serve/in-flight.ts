/**
 * The requests a server is answering now. A request counts from when it arrives until its response
 * body has been sent in full, has failed, or the client has gone away (a streamed answer, SSE or
 * NDJSON, counts until its last byte; a whole JSON answer until it is handed to the server, which
 * sends it at once). A graceful drain waits on `idle`.
 */
export class InFlight {
  private running = 0;
  private readonly waiters = new Set<() => void>();

  /** Requests being answered now. */
  get size(): number {
    return this.running;
  }

  /** Answers with `answer()`, counting the request until its response has been sent or abandoned. */
  track(answer: () => Response | Promise<Response>): Promise<Response> {
    this.running++;
    let answered: Response | Promise<Response>;
    try {
      answered = answer();
    } catch (error) {
      this.finish();
      return Promise.reject(error);
    }
    // One `then` rather than an async function's await, with functions made once: this runs on every request.
    return Promise.resolve(answered).then(this.whenAnswered, this.whenFailed);
  }

  private readonly whenAnswered = (response: Response): Response => this.counting(response);

  private readonly whenFailed = (error: unknown): never => {
    this.finish();
    throw error;
  };

  /** `response`, counted until it has been sent (a whole body: now; a stream: its end). */
  private counting(response: Response): Response {
    // The Content-Type first: reading `body` makes the runtime build a stream for a body it holds whole.
    if (isWholeJson(response) || response.body === null) {
      this.finish();
      return response;
    }
    return new Response(this.counted(response.body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  /** Resolves once no request is being answered, or as soon as `signal` aborts (whichever comes first). */
  idle(signal: AbortSignal): Promise<void> {
    if (this.running === 0 || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  /** `body`, passed through chunk by chunk, that ends the request's count once it ends either way. */
  private counted(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      this.finish();
    };
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await reader.read();
          if (next.done) {
            finish();
            controller.close();
          } else controller.enqueue(next.value);
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      async cancel(reason) {
        finish();
        await reader.cancel(reason);
      },
    });
  }

  private finish(): void {
    this.running--;
    if (this.running > 0) return;
    if (this.waiters.size === 0) return;
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Whether a response's body is one JSON document, handed to the server whole (`Response.json`, the
 * SDK's JSON answers): it is sent at once, so the request ends here, and wrapping it in a counting
 * stream would only make the server stream it. SSE and NDJSON answers are streams, and count on.
 */
function isWholeJson(response: Response): boolean {
  const type = response.headers.get("content-type");
  return type === "application/json" || type?.split(";")[0]?.trim().toLowerCase() === "application/json";
}
