/** The one SSE event the SDK writes for a message: `event: message`, then its JSON on one `data:` line. */
const ONE_EVENT = /^event: message\ndata: (.*)\n\n$/s;

/**
 * A 2025 session's answer to one request, as plain JSON when its SSE stream carries nothing but that
 * answer. The SDK's session transport opens an SSE stream for every request, though most calls send
 * nothing before their result (no progress, log or provider request); Streamable HTTP lets a server
 * answer a POST with either, every client accepts both, and a client parses one JSON body at a fraction
 * of the cost of an event stream (and the server sends it without streaming). So the stream's first
 * event is awaited: when it is the answer to `id` and the stream ends with it, the answer goes out as
 * JSON; anything else first (a notification, a request to the client, a keep-alive) and the client gets
 * the stream as it is, from its first byte. A client that goes away while the call runs cancels the
 * stream, as it would have had it been sent.
 */
export async function singleAnswer(response: Response, id: string | number, signal: AbortSignal): Promise<Response> {
  if (response.body === null || !response.headers.get("content-type")?.startsWith("text/event-stream")) return response;
  const reader = response.body.getReader();
  const gone = () => void reader.cancel(signal.reason).catch(() => {});
  if (signal.aborted) gone();
  signal.addEventListener("abort", gone, { once: true });
  const read: Uint8Array[] = [];
  try {
    const first = await reader.read();
    if (first.done) return rest(response, reader, read, true);
    read.push(first.value);
    const answer = answerIn(first.value, id);
    if (answer === undefined) return rest(response, reader, read, false);
    const end = await reader.read();
    if (!end.done) {
      read.push(end.value);
      return rest(response, reader, read, false);
    }
    const headers = new Headers(response.headers);
    headers.set("content-type", "application/json");
    headers.delete("cache-control");
    headers.delete("x-accel-buffering");
    return new Response(answer, { status: response.status, headers });
  } finally {
    signal.removeEventListener("abort", gone);
  }
}

/** The JSON text of `chunk` when it is one SSE event holding the answer (result or error) to `id`. */
function answerIn(chunk: Uint8Array, id: string | number): string | undefined {
  const match = ONE_EVENT.exec(new TextDecoder().decode(chunk));
  if (match === null) return undefined;
  const data = match[1]!;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof message !== "object" || message === null) return undefined;
  const { id: answered } = message as { id?: unknown };
  return answered === id && ("result" in message || "error" in message) ? data : undefined;
}

/** The SSE answer as it came: the chunks already read, then the rest of the stream. */
function rest(
  response: Response,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  read: Uint8Array[],
  done: boolean,
): Response {
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = read.shift();
      if (next !== undefined) return controller.enqueue(next);
      if (done) return controller.close();
      const chunk = await reader.read();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, headers: response.headers });
}
