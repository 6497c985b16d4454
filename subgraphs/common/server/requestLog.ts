import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger";
import { traceIdOf } from "../observability/tracing";
import { requestIdOf } from "./http";

declare module "express-serve-static-core" {
  interface Request {
    /** The request's id (from `x-request-id` or new), set by `logRequests`. */
    requestId?: string;
  }
}

/**
 * One JSON log line per request, with its request and trace ids, status and duration; probes
 * and scrapes only at debug level.
 */
export function logRequests(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    // Captured now: routers mounted on a path rewrite req.path on the way.
    const path = req.originalUrl.split("?")[0] ?? req.path;
    req.requestId = requestIdOf(req);
    res.setHeader("x-request-id", req.requestId);
    const traceId = traceIdOf(req);
    res.on("finish", () => {
      const routine = path.startsWith("/health") || path === "/metrics";
      const line = {
        requestId: req.requestId,
        ...(traceId ? { traceId } : {}),
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      };
      if (routine) logger.debug(line, "request");
      else logger.info(line, "request");
    });
    next();
  };
}
