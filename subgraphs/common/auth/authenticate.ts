import { DomainError, ErrorCode } from "../errors";
import type { Logger } from "../logger";
import { errorAnswer, type PreHandler } from "../server/exchange";
import { bearerToken, type VerifyAccessToken } from "./tokenVerifier";

/**
 * The pre-handler in front of `/graphql` that identifies the caller: a request without
 * `Authorization` goes on as anonymous; one with a bad, expired or revoked token is answered
 * `UNAUTHENTICATED` at once, before any resolver (or subgraph) runs.
 */
export function authenticate(verify: VerifyAccessToken, logger: Logger): PreHandler {
  return async (exchange) => {
    try {
      const token = bearerToken(exchange.header("authorization"));
      exchange.caller = token ? await verify(token) : null;
      return undefined;
    } catch (error) {
      if (error instanceof DomainError)
        return errorAnswer(error.code === ErrorCode.UNAUTHENTICATED ? 401 : 400, error.code, error.message);
      logger.error({ err: error }, "could not verify an access token");
      return errorAnswer(
        503,
        ErrorCode.INTERNAL_SERVER_ERROR,
        "Signing in is unavailable right now; try again shortly.",
      );
    }
  };
}
