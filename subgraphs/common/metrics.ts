import type { Express, NextFunction, Request, Response } from "express";
import { Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** A process's Prometheus registry with the HTTP metrics every service exposes on `/metrics`. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<"method" | "route" | "status">;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: "http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  /** Times every request and serves the registry at `GET /metrics`. */
  mount(app: Express): void {
    app.use((req: Request, res: Response, next: NextFunction) => {
      const end = this.httpDuration.startTimer({ method: req.method });
      res.on("finish", () => end({ route: req.route?.path ?? req.path.split("?")[0] ?? "", status: String(res.statusCode) }));
      next();
    });
    app.get("/metrics", async (_req: Request, res: Response) => {
      res.type(this.registry.contentType).send(await this.registry.metrics());
    });
  }
}
