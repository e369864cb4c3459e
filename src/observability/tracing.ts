import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { VERSION } from "../version.ts";
import { type Env, tracesEndpoint } from "./otel-env.ts";
import type { BatchInfo, BatchRecorder, CallInfo, CallOutcome, CallRecorder, GatewayRecorder } from "./recorder.ts";
import { formatTraceparent, parseTraceparent } from "./trace-context.ts";

/** Options of `createTracing`; every field says its default. */
export interface TracingOptions {
  /** Where OTEL_* settings are read (default process.env). */
  readonly env?: Env;
  /** Where spans go (default: OTLP/HTTP with JSON bodies to the endpoint the environment names). */
  readonly exporter?: SpanExporter;
}

/** Tracing as configured: a recorder for the Gateway and a flush for shutdown. */
export interface Tracing {
  readonly tracer: Tracer;
  /** Give this to the Gateway (`GatewayDeps.recorder`), combined with the others. */
  readonly recorder: GatewayRecorder;
  /** Sends buffered spans and stops exporting (bounded, so a dead collector never holds up exit). */
  shutdown(): Promise<void>;
}

/** How long a flush may wait for the collector. */
const FLUSH_TIMEOUT_MS = 3_000;

/** Starts tracing when the environment names an OTLP endpoint (or an exporter is given); undefined = off. */
export function createTracing(options: TracingOptions = {}): Tracing | undefined {
  const url = tracesEndpoint(options.env ?? process.env);
  if (url === undefined && options.exporter === undefined) return undefined;
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: url!, timeoutMillis: FLUSH_TIMEOUT_MS });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "hangar", "service.version": VERSION }),
    spanProcessors: [new BatchSpanProcessor({ exporter, exportTimeoutMillis: FLUSH_TIMEOUT_MS })],
  });
  const tracer = provider.getTracer("hangar", VERSION);
  const bounded = (work: Promise<void>) =>
    withTimeout(
      work.catch(() => {}),
      FLUSH_TIMEOUT_MS,
    );
  return {
    tracer,
    recorder: tracingRecorder(tracer, () => bounded(provider.forceFlush())),
    shutdown: () => bounded(provider.shutdown()),
  };
}

/** A recorder that makes one span per batch, per call and per upstream request. */
export function tracingRecorder(tracer: Tracer, flush: () => Promise<void> = () => Promise.resolve()): GatewayRecorder {
  const nothing = () => {};
  return {
    batchStarted: (batch) => batchSpan(tracer, batch),
    providerStarted: nothing,
    providerStartFailed: nothing,
    providerCrashed: nothing,
    breakerRejected: nothing,
    healthChecked: nothing,
    flush,
  };
}

function batchSpan(tracer: Tracer, batch: BatchInfo): BatchRecorder {
  const remote = parseTraceparent(batch.traceparent, batch.tracestate);
  const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  const span = tracer.startSpan(
    "hangar.batch",
    { attributes: { "hangar.batch.id": batch.batchId, "hangar.batch.size": batch.size } },
    parent,
  );
  const context = trace.setSpan(ROOT_CONTEXT, span);
  return {
    callStarted: (call) => callSpan(tracer, context, batch.batchId, call),
    finished({ failed }) {
      span.setAttribute("hangar.batch.failed", failed);
      if (failed > 0)
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: `${failed} of ${batch.size} call${batch.size === 1 ? "" : "s"} failed`,
        });
      span.end();
    },
  };
}

function callSpan(tracer: Tracer, parent: Context, batchId: string, call: CallInfo): CallRecorder {
  const span = tracer.startSpan(
    "hangar.call",
    {
      attributes: {
        "hangar.call_id": `${batchId}:${call.index}`,
        "hangar.call.index": call.index,
        "hangar.provider": call.provider,
        "hangar.tool": call.tool,
        ...(call.id === undefined ? {} : { "hangar.call.label": call.id }),
      },
    },
    parent,
  );
  const context = trace.setSpan(ROOT_CONTEXT, span);
  return {
    async upstream(clientKind, send) {
      const request = tracer.startSpan(
        "mcp tools/call",
        {
          kind: SpanKind.CLIENT,
          attributes: {
            "mcp.method.name": "tools/call",
            "gen_ai.tool.name": call.tool,
            "hangar.provider": call.provider,
            "hangar.client.kind": clientKind,
          },
        },
        context,
      );
      try {
        const result = await send(formatTraceparent(request.spanContext()));
        if ((result as { isError?: unknown } | undefined)?.isError === true)
          request.setStatus({ code: SpanStatusCode.ERROR, message: "tool_error" });
        return result;
      } catch (error) {
        failSpan(request, error instanceof Error ? error.message : String(error));
        throw error;
      } finally {
        request.end();
      }
    },
    finished(outcome: CallOutcome) {
      span.setAttributes({
        "hangar.outcome": outcome.ok ? "ok" : (outcome.error?.type ?? "internal"),
        "hangar.attempts": outcome.attempts,
      });
      if (!outcome.ok) failSpan(span, outcome.error?.message ?? "failed", outcome.error?.type);
      span.end();
    },
  };
}

function failSpan(span: Span, message: string, type?: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  if (type !== undefined) span.setAttribute("error.type", type);
}

function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref?.();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
