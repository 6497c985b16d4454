import { guestOrderAccessProblem, type GuestOrderAccessKeys } from "../../common/auth/guestOrderAccess";
import { ForbiddenError } from "../../common/errors";
import type { Logger } from "../../common/logger";
import type { WindowLimit, WindowLimiter } from "../../common/windowLimiter";

/** What checking a guest's order access token needs: the shared keys, and a limit on failures per client. */
export interface GuestAccessDependencies {
  guestAccess: {
    keys: GuestOrderAccessKeys;
    limiter: WindowLimiter;
    /** Tokens that open nothing, per client (GUEST_ACCESS_FAILURES_PER_CLIENT_PER_HOUR). */
    failures: WindowLimit;
  };
  clientAddress: string;
  logger: Logger;
}

const limitedMessage = "Too many order access tokens that open nothing.";

/**
 * A guest reads their order's payment with the access token `placeGuestOrder` answered
 * (`Order.payment(accessToken:)`): checked here, beside the payment, with the secret the services
 * share. A token that does not open this order (another order's, expired, forged, malformed) is
 * FORBIDDEN, one message for all; each counts against the client, and a client out of tries is
 * RATE_LIMITED before its token is even checked, so tokens cannot be guessed.
 */
export async function requireGuestAccess(deps: GuestAccessDependencies, orderId: string, token: string): Promise<void> {
  const { keys, limiter, failures } = deps.guestAccess;
  await limiter.check(failures, deps.clientAddress, limitedMessage);
  const problem = guestOrderAccessProblem(keys, token, orderId);
  if (!problem) return;
  deps.logger.info({ orderId, problem }, "guest order access token refused");
  await limiter.take(failures, deps.clientAddress, limitedMessage);
  throw new ForbiddenError("This access token does not open this order's payment (or it has expired).");
}
