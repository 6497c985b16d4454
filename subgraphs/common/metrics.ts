import type { ApolloServerPlugin } from "@apollo/server";
import type { Express, NextFunction, Request, Response } from "express";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { ErrorCode } from "./errors";
import type { EventEnvelope } from "./events/envelope";
import { registerWorkCounters } from "./workCounters";

const httpMethods = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** A method a client may write anything in: the usual ones, or `other`. */
function httpMethodLabel(method: string): string {
  return httpMethods.has(method) ? method : "other";
}

/** An error's code as a label: the codes this platform answers with, or `other` (a subgraph's error passed on may say anything). */
function errorCodeLabel(code: unknown): string {
  if (code === undefined) return "UNKNOWN";
  return typeof code === "string" && (Object.values(ErrorCode) as string[]).includes(code) ? code : "other";
}

/**
 * A process's Prometheus registry and the metrics every service exposes on `/metrics`: HTTP
 * latency, GraphQL operations and errors, events published and consumed, consumer lag, outbox
 * backlog, and the business counters (counted from the events a service commits).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"method" | "route" | "status">;
  readonly operations: Counter<"operation" | "type">;
  readonly errors: Counter<"code">;
  readonly eventsPublished: Counter<"type">;
  readonly eventsConsumed: Counter<"type" | "outcome">;
  readonly eventBatches: Histogram<"outcome">;
  private readonly ordersPlaced: Counter;
  private readonly ordersConfirmed: Counter;
  private readonly ordersCancelled: Counter<"reason">;
  private readonly paymentsCaptured: Counter;
  private readonly paymentsRefunded: Counter<"kind">;
  /** Paths counted under their own label; every other path is `unmatched`. */
  private routes: ReadonlySet<string> = new Set();

  /**
   * @param knownOperations the operation names counted under their own label (the contract's);
   *   any other name a client writes is counted as `other`, so clients cannot grow the series.
   */
  constructor(
    service: string,
    private readonly knownOperations: ReadonlySet<string> = new Set(),
  ) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    // The work behind each request and event (SQL, Redis), which the benchmark counts per order.
    registerWorkCounters(this.registry);
    this.httpDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.operations = new Counter({
      name: "graphql_operations_total",
      help: "GraphQL operations executed, by operation name and type.",
      labelNames: ["operation", "type"],
      registers,
    });
    this.errors = new Counter({
      name: "graphql_errors_total",
      help: "Errors in GraphQL responses, by code.",
      labelNames: ["code"],
      registers,
    });
    this.eventsPublished = new Counter({
      name: "events_published_total",
      help: "Events the outbox relay published to JetStream, by type.",
      labelNames: ["type"],
      registers,
    });
    this.eventsConsumed = new Counter({
      name: "events_consumed_total",
      help: "Events handled by this service's consumers, by type and outcome (applied, duplicate, ignored, retried, dead_lettered).",
      labelNames: ["type", "outcome"],
      registers,
    });
    this.eventBatches = new Histogram({
      name: "event_batch_size",
      help: "Events a consumer applied together in one transaction (batches of two or more), by outcome: committed, or split to be applied one by one after a failure.",
      labelNames: ["outcome"],
      buckets: [2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.ordersPlaced = new Counter({ name: "orders_placed_total", help: "Orders placed.", registers });
    this.ordersConfirmed = new Counter({
      name: "orders_confirmed_total",
      help: "Orders confirmed (paid and reserved).",
      registers,
    });
    this.ordersCancelled = new Counter({
      name: "orders_cancelled_total",
      help: "Orders cancelled, by reason.",
      labelNames: ["reason"],
      registers,
    });
    this.paymentsCaptured = new Counter({ name: "payments_captured_total", help: "Payments captured.", registers });
    this.paymentsRefunded = new Counter({
      name: "payments_refunded_total",
      help: "Refunds made, partial or full.",
      labelNames: ["kind"],
      registers,
    });
  }

  /** A gauge computed when Prometheus scrapes (consumer lag, outbox backlog). */
  gauge(
    name: string,
    help: string,
    labelNames: string[],
    collect: () => Promise<Array<{ labels?: Record<string, string>; value: number }>>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        try {
          for (const sample of await collect()) {
            if (sample.labels) this.set(sample.labels, sample.value);
            else this.set(sample.value);
          }
        } catch {
          // A dependency that cannot answer leaves the last value; readiness tells the outage.
        }
      },
    });
  }

  /** Business counters, from the events a commit wrote. */
  countCommitted(events: readonly EventEnvelope[]): void {
    for (const event of events) {
      if (event.type === "orders.order.placed") this.ordersPlaced.inc();
      if (event.type === "orders.order.status_changed") {
        const data = event.data as EventEnvelope<"orders.order.status_changed">["data"];
        if (data.status === "CONFIRMED") this.ordersConfirmed.inc();
        if (data.status === "CANCELLED") this.ordersCancelled.inc({ reason: data.cancellationReason ?? "UNKNOWN" });
      }
      if (event.type === "payments.payment.captured") this.paymentsCaptured.inc();
      if (event.type === "payments.payment.refunded") {
        this.paymentsRefunded.inc({
          kind: (event.data as EventEnvelope<"payments.payment.refunded">["data"]).fullyRefunded ? "full" : "partial",
        });
      }
    }
  }

  /**
   * The label of an operation name: itself when it is a known operation, `(anonymous)` without a
   * name, `other` for any other name. A subgraph hears the router's names for the parts of a
   * plan (`<operation>__<subgraph>__<n>`), counted as the operation they came from.
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return "(anonymous)";
    if (this.knownOperations.has(name)) return name;
    const planned = /^(.+)__[A-Za-z0-9_]+__\d+$/.exec(name)?.[1];
    return planned && this.knownOperations.has(planned) ? planned : "other";
  }

  /** Counts each GraphQL operation and the codes of the errors it answered with. */
  graphqlPlugin(): ApolloServerPlugin {
    const { operations, errors: errorCount } = this;
    const label = (name: string | null | undefined) => this.operationLabel(name);
    return {
      async requestDidStart() {
        return {
          async didResolveOperation({ operationName, operation }) {
            operations.inc({ operation: label(operationName), type: operation?.operation ?? "unknown" });
          },
          async willSendResponse({ response }) {
            const errors = response.body.kind === "single" ? response.body.singleResult.errors : undefined;
            for (const error of errors ?? []) errorCount.inc({ code: errorCodeLabel(error.extensions?.code) });
          },
        };
      },
    };
  }

  /** The routes the server answers; any other path is counted as `unmatched`. */
  labelRoutes(routes: Iterable<string>): void {
    this.routes = new Set(routes);
  }

  /**
   * Counts one answered request under its route: only the server's own routes are labels (a
   * client's made-up paths share `unmatched`, so scans cannot grow the series without bound).
   * `started` is `process.hrtime.bigint()` when it arrived.
   */
  observeRequest(method: string, path: string, status: number, started: bigint): void {
    const known = this.routes.has(path)
      ? path
      : this.routes.has(path.replace(/\/+$/, ""))
        ? path.replace(/\/+$/, "")
        : undefined;
    this.httpDuration.observe(
      {
        method: httpMethodLabel(method),
        route: status === 404 || !known ? "unmatched" : known,
        status: String(status),
      },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }

  /** Times every request Express serves and serves the registry at `GET /metrics`. */
  mount(app: Express): void {
    app.use((req: Request, res: Response, next: NextFunction) => {
      const started = process.hrtime.bigint();
      const path = req.originalUrl.split("?")[0] ?? req.path;
      res.on("finish", () => this.observeRequest(req.method, path, res.statusCode, started));
      next();
    });
    app.get("/metrics", async (_req: Request, res: Response) => {
      res.type(this.registry.contentType).send(await this.registry.metrics());
    });
  }
}
