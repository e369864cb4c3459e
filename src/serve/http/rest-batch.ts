import { CancelledError, messageOf } from "../../errors.ts";
import { InvalidBatchError } from "../../gateway/index.ts";
import type { BatchInput } from "../../lib/types.ts";
import type { FrontBatch, FrontHangar } from "../front-hangar.ts";

/** The media type of the streamed form: one JSON object per line. */
export const NDJSON = "application/x-ndjson";

/**
 * `POST /v1/call`: runs a `hangar_call` batch through the library's `Hangar.stream` (the JSON body; a bare list of calls is taken as
 * `{calls}`). By default the answer is the whole BatchResult when the last call finishes. With
 * `Accept: application/x-ndjson` each call's result is one line as soon as it finishes, then one last
 * line with the batch summary (the BatchResult without `results`). A `traceparent` header is continued.
 * A malformed batch is a 400 with `{error}` and nothing runs; a client that goes away cancels the calls
 * still running, upstream too, and the batch is still read to its end, so every call is recorded (as
 * cancelled) and the batch finishes in metrics, logs and spans.
 */
export async function restBatch(hangar: FrontHangar, request: Request, body: unknown): Promise<Response> {
  const input = (Array.isArray(body) ? { calls: body } : body) as BatchInput;
  const cancel = new AbortController();
  let batch: FrontBatch;
  try {
    // A REST client answers no provider's request: its providers are told it can give nothing.
    batch = hangar.stream(input, { signal: cancel.signal, ...traceContext(request.headers), clientCapabilities: {} });
  } catch (error) {
    if (error instanceof InvalidBatchError) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
  const iterator = batch[Symbol.asyncIterator]();
  const streamed = wantsNdjson(request);
  let gone = false;
  const onGone = () => {
    if (gone) return;
    gone = true;
    cancel.abort(new CancelledError("The HTTP client went away"));
    // A JSON answer is read to its end below; a stream nobody pulls any more is read to its end here.
    if (streamed) void readToEnd(batch);
  };
  if (request.signal.aborted) onGone();
  request.signal.addEventListener("abort", onGone, { once: true });
  const untie = () => request.signal.removeEventListener("abort", onGone);

  if (!streamed) {
    try {
      return Response.json(await batch.result());
    } finally {
      untie();
    }
  }

  const encoder = new TextEncoder();
  const line = (value: object) => encoder.encode(`${JSON.stringify(value)}\n`);
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (!next.done) {
          controller.enqueue(line(next.value));
          return;
        }
        // Every result is read: the batch result is at hand; its last line is it without `results`.
        const { results: _, ...summary } = await batch.result();
        controller.enqueue(line(summary));
        controller.close();
        untie();
      } catch (error) {
        untie();
        controller.error(new Error(`The batch failed: ${messageOf(error)}`));
      }
    },
    cancel() {
      onGone();
      untie();
    },
  });
  return new Response(stream, { headers: { "content-type": NDJSON, "cache-control": "no-cache" } });
}

/**
 * Reads the rest of a batch's results without sending them anywhere: each result read is recorded by the
 * gateway (metrics, logs, spans), and the batch finishes only once its last one is read.
 */
async function readToEnd(batch: FrontBatch): Promise<void> {
  try {
    await batch.result();
  } catch {
    // The batch failed as a whole; the gateway has recorded what it could.
  }
}

/** The caller's W3C trace context, which the batch's trace continues. */
function traceContext(headers: Headers): { traceparent?: string; tracestate?: string } {
  const traceparent = headers.get("traceparent");
  const tracestate = headers.get("tracestate");
  return { ...(traceparent === null ? {} : { traceparent }), ...(tracestate === null ? {} : { tracestate }) };
}

/** Whether the client asked for the streamed form. */
function wantsNdjson(request: Request): boolean {
  return (request.headers.get("accept") ?? "").toLowerCase().includes(NDJSON);
}
