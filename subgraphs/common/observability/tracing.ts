import { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AlwaysOffSampler, BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { NextFunction, Request, Response } from "express";

declare module "express-serve-static-core" {
  interface Request {
    /**
     * The request's W3C trace context when the process keeps no async context (see
     * `startTracing`): the caller's, or a new trace's. Log lines and outgoing requests take it from here.
     */
    traceparent?: string;
  }
}

let provider: NodeTracerProvider | undefined;

export interface TracingOptions {
  /** Where spans go (OTEL_EXPORTER_OTLP_ENDPOINT); without it spans only carry ids for logs and context. */
  otlpEndpoint?: string | undefined;
  /** Extra span processors (tests collect spans in memory). */
  processors?: SpanProcessor[];
  /**
   * Keep an async context (AsyncLocalStorage) even with nowhere to send spans (default false).
   * Without it, a trace context rides on what carries the work itself: the request
   * (`req.traceparent`: log lines, the router's subgraph requests' headers, the unit of work of a
   * subgraph's request context, so the events it writes carry it) and the consumed event (what
   * its handler emits carries its `traceparent` on). Node 20's AsyncLocalStorage costs a promise
   * hook on every promise of the process.
   */
  contextWithoutExporter?: boolean;
}

/**
 * OpenTelemetry for this process: W3C trace context, spans kept in async context, exported over
 * OTLP/HTTP when an endpoint is configured (sampled as OTEL_TRACES_SAMPLER says). Started once
 * per process; later calls add nothing.
 */
export function startTracing(service: string, options: TracingOptions = {}): { shutdown(): Promise<void> } {
  if (!provider) {
    const processors = [...(options.processors ?? [])];
    if (processors.length === 0 && !options.otlpEndpoint && options.contextWithoutExporter !== true) {
      propagation.setGlobalPropagator(new W3CTraceContextPropagator());
      return { shutdown: async () => undefined };
    }
    if (options.otlpEndpoint) {
      processors.push(
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, "")}/v1/traces` })),
      );
    }
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
      spanProcessors: processors,
      // With nowhere to send spans, none is recorded: ids and context still flow (log lines,
      // traceparent across HTTP and NATS) at a fraction of the cost. Otherwise the standard
      // OTEL_TRACES_SAMPLER settings apply (always on by default).
      ...(processors.length === 0 ? { sampler: new AlwaysOffSampler() } : {}),
    });
    provider.register({ propagator: new W3CTraceContextPropagator() });
  }
  const registered = provider;
  return { shutdown: () => registered.shutdown() };
}

export const tracer = () => trace.getTracer("commerce");

/**
 * The W3C `traceparent` of a context (the active one by default), to carry in a header or an
 * event. Without a tracer provider no async context holds a span: nothing to read.
 */
export function traceparentOf(from?: Context): string | undefined {
  if (!from && !provider) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(from ?? context.active(), carrier);
  return carrier.traceparent;
}

/** The trace id of the active span, for log lines; undefined outside a trace. */
export function currentTraceId(): string | undefined {
  if (!provider) return undefined;
  const span = trace.getSpan(context.active());
  const id = span?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}

/** The trace id of a request: the one it carries when there is no async context, or the active span's. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  // A request carries its trace itself only when the process keeps no async context.
  return traceparent ? traceparent.slice(3, 35) : currentTraceId();
}

const validTraceparent = /^[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Random bytes drawn in bulk: a new trace's ids cost a slice of them, not two calls for random bytes. */
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString("hex", randomOffset - bytes, randomOffset);
}

/** A request's valid `traceparent` header, or a new trace's (not sampled: nothing records it). */
function traceparentOfRequest(headers: IncomingHttpHeaders): string {
  const header = headers.traceparent;
  if (typeof header === "string") {
    const given = header.trim().toLowerCase();
    if (validTraceparent.test(given)) return given;
  }
  return `00-${randomHex(16)}-${randomHex(8)}-00`;
}

/** Runs `work` in a span that continues the trace of `traceparent` (an incoming event's), ending it after. */
export async function inSpanFrom<T>(
  traceparent: string | undefined,
  name: string,
  kind: SpanKind,
  attributes: Record<string, string>,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** A request's part in its trace: the context it runs in, ended with its status. */
export interface RequestTrace {
  /**
   * The request's trace context when the process keeps no async context: the caller's, or a new
   * trace's. Log lines and outgoing requests take it from here.
   */
  traceparent: string | undefined;
  /** Runs the request's work in its span (as the active one), when there is one. */
  run<T>(work: () => T): T;
  /** Ends the span with the response's status. */
  end(status: number): void;
}

const untraced = { run: <T>(work: () => T): T => work(), end: () => undefined };

/**
 * A server span for a request, continuing the caller's trace (`traceparent`), to be active for
 * everything the request does. Without a tracer provider (no async context) there is no span:
 * the request carries its trace context itself (`traceparent`).
 */
export function traceRequest(
  service: string,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
): RequestTrace {
  if (!provider) return { traceparent: traceparentOfRequest(headers), ...untraced };
  const parent = propagation.extract(context.active(), headers);
  const span = tracer().startSpan(
    `${service} ${method} ${path}`,
    { kind: SpanKind.SERVER, attributes: { "http.request.method": method, "url.path": path } },
    parent,
  );
  const active = trace.setSpan(parent, span);
  return {
    traceparent: undefined,
    run: (work) => context.with(active, work),
    end(status) {
      span.setAttribute("http.response.status_code", status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}

/** Express middleware: `traceRequest` for the routes Express serves (health, metrics, webhooks). */
export function traceRequests(service: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestTrace = traceRequest(service, req.method, req.path, req.headers);
    req.traceparent = requestTrace.traceparent;
    res.on("finish", () => requestTrace.end(res.statusCode));
    requestTrace.run(next);
  };
}

export { SpanKind };
