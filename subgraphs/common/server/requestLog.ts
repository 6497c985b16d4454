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

/** What one request's log line says. */
export interface RequestLine {
  requestId: string;
  traceId: string | undefined;
  method: string;
  path: string;
  status: number;
  /** `process.hrtime.bigint()` when the request arrived. */
  started: bigint;
}

/** Logs one request's line: probes and scrapes only at debug level. */
export function logRequest(logger: Logger, request: RequestLine): void {
  const { requestId, traceId, method, path, status, started } = request;
  const routine = path.startsWith("/health") || path === "/metrics";
  if (routine ? !logger.isLevelEnabled("debug") : !logger.isLevelEnabled("info")) return;
  const line = {
    requestId,
    ...(traceId ? { traceId } : {}),
    method,
    path,
    status,
    durationMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
  if (routine) logger.debug(line, "request");
  else logger.info(line, "request");
}

/**
 * Express middleware: one JSON log line per request, with its request and trace ids, status and
 * duration; probes and scrapes only at debug level.
 */
export function logRequests(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    // Captured now: routers mounted on a path rewrite req.path on the way.
    const path = req.originalUrl.split("?")[0] ?? req.path;
    const requestId = requestIdOf(req.headers);
    req.requestId = requestId;
    res.setHeader("x-request-id", requestId);
    const traceId = traceIdOf(req.traceparent);
    res.on("finish", () =>
      logRequest(logger, { requestId, traceId, method: req.method, path, status: res.statusCode, started }),
    );
    next();
  };
}
