import type { Express, Request, Response } from "express";
import { describeFailure, withTimeout } from "../dependencies";

/** One readiness check: resolves when the dependency works, rejects with why it does not. */
export type ReadinessCheck = () => Promise<void>;

export interface CheckResult {
  ok: boolean;
  error?: string;
}

export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 2000,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      try {
        await withTimeout(check(), timeoutMs, name);
        return [name, { ok: true }];
      } catch (error) {
        return [name, { ok: false, error: describeFailure(error) }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * `GET /health/live`: the process answers. `GET /health/ready`: 200 only when every check
 * passes and the process is not shutting down, 503 otherwise, with each check's result.
 */
export function mountHealthRoutes(
  app: Express,
  checks: Record<string, ReadinessCheck>,
  isStopping: () => boolean,
): void {
  app.get("/health/live", (_req: Request, res: Response) => {
    res.json({ status: "ok" });
  });
  app.get("/health/ready", async (_req: Request, res: Response) => {
    const results = await runChecks(checks);
    const ready = !isStopping() && Object.values(results).every((result) => result.ok);
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? "ready" : isStopping() ? "stopping" : "unavailable", checks: results });
  });
}
