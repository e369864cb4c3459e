// A tiny OTLP/HTTP (JSON) traces receiver for tests: Bun.serve on a loopback port bound on 0.

/** One received span, flattened: ids in hex, attributes as plain values. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly status: { code?: number; message?: string };
  readonly attributes: Record<string, unknown>;
  /** The resource's attributes (service.name, ...). */
  readonly resource: Record<string, unknown>;
}

/** A running receiver; `await using` stops it. */
export interface OtlpReceiver extends AsyncDisposable {
  /** The base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly spans: readonly ReceivedSpan[];
  /** Content types of the export requests, in order. */
  readonly contentTypes: readonly string[];
  /** Spans named `name`. */
  named(name: string): ReceivedSpan[];
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
type KeyValue = { key: string; value: AnyValue };

function value(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.boolValue !== undefined) return v.boolValue;
  return v.doubleValue;
}

function attributes(list: KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, value(kv.value)]));
}

/** Starts a receiver that accepts `POST /v1/traces` with JSON bodies. */
export function startOtlpReceiver(): OtlpReceiver {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (new URL(request.url).pathname !== "/v1/traces") return new Response("not found", { status: 404 });
      contentTypes.push(request.headers.get("content-type") ?? "");
      const body = (await request.json()) as {
        resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
      };
      for (const resourceSpans of body.resourceSpans) {
        const resource = attributes(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans) {
          for (const span of scope.spans) {
            spans.push({
              traceId: span.traceId as string,
              spanId: span.spanId as string,
              parentSpanId: (span.parentSpanId as string | undefined) || undefined,
              name: span.name as string,
              kind: span.kind as number,
              status: (span.status as ReceivedSpan["status"]) ?? {},
              attributes: attributes(span.attributes as KeyValue[]),
              resource,
            });
          }
        }
      }
      return Response.json({});
    },
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    spans,
    contentTypes,
    named: (name) => spans.filter((span) => span.name === name),
    [Symbol.asyncDispose]: async () => void (await server.stop(true)),
  };
}
