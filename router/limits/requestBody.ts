import express, { type NextFunction, type Request, type Response } from "express";
import { ErrorCode } from "../../subgraphs/common/errors";

/**
 * A body too large, or not JSON: answered like a GraphQL server would, with what is wrong and
 * Apollo Server's code for a malformed request (BAD_REQUEST), the HTTP status saying which.
 */
function bodyErrors(
  error: { type?: string; status?: number; limit?: number },
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  if (error.type === "entity.too.large") {
    const limit = error.limit ? ` (at most ${error.limit} bytes)` : "";
    res.status(413).json({
      errors: [{ message: `The request is too large${limit}.`, extensions: { code: ErrorCode.BAD_REQUEST } }],
    });
    return;
  }
  if (error.type === "entity.parse.failed") {
    res.status(400).json({
      errors: [{ message: "The request body is not valid JSON.", extensions: { code: ErrorCode.BAD_REQUEST } }],
    });
    return;
  }
  next(error);
}

/** The request body as JSON, at most `maxBytes`; a body too large or malformed is answered here. */
export function jsonBody(maxBytes: number) {
  return [express.json({ limit: maxBytes }), bodyErrors];
}
