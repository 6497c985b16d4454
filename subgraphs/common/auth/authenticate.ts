import type { NextFunction, Request, Response } from "express";
import { DomainError, ErrorCode } from "../errors";
import type { Logger } from "../logger";
import type { Caller } from "./caller";
import { bearerToken, type VerifyAccessToken } from "./tokenVerifier";

declare module "express-serve-static-core" {
  interface Request {
    /** Set by `authenticate`: the verified caller, or null for an anonymous request. */
    caller?: Caller | null;
  }
}

/** Answers like a GraphQL server would, before any resolver (or subgraph) runs. */
function sendGraphQLError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * Express middleware in front of `/graphql`: a request without `Authorization` goes on as
 * anonymous; one with a bad, expired or revoked token is answered `UNAUTHENTICATED` at once.
 */
export function authenticate(verify: VerifyAccessToken, logger: Logger) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const token = bearerToken(req.header("authorization"));
      req.caller = token ? await verify(token) : null;
      next();
    } catch (error) {
      if (error instanceof DomainError) {
        sendGraphQLError(res, error.code === ErrorCode.UNAUTHENTICATED ? 401 : 400, error.code, error.message);
        return;
      }
      logger.error({ err: error }, "could not verify an access token");
      sendGraphQLError(
        res,
        503,
        ErrorCode.INTERNAL_SERVER_ERROR,
        "Signing in is unavailable right now; try again shortly.",
      );
    }
  };
}
