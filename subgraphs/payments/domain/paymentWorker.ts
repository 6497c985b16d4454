import { dueWorker } from "../../common/dueWork/dueWorker";
import { duePayments, dueRefunds, unsettledAttempts } from "../store/paymentStore";
import { attemptLeaseMs } from "./attemptLease";
import { attemptCapture } from "./captures";
import type { PaymentsDependencies } from "./dependencies";
import { reconcileAttempt } from "./reconciliation";
import { attemptRefund, RefundRefusedError } from "./refunds";

const leaseMs = attemptLeaseMs;
const batch = 20;

/**
 * The worker that makes the captures and refunds that are due, and reconciles the calls whose
 * answer was never recorded (or is not final), a batch of each at a time; it ticks at start, so
 * what a crash left unsettled is looked up then. A refund the provider refused is FAILED and
 * never retried, so the money it was to give back is still captured: an error that someone must
 * act on.
 */
export function paymentWorker(deps: PaymentsDependencies, intervalMs: number) {
  return dueWorker({
    name: "payment-attempts",
    db: deps.db,
    intervalMs,
    logger: deps.logger,
    work: [
      { ...duePayments, what: "capture", idField: "paymentId", batch, leaseMs, run: (id) => attemptCapture(deps, id) },
      {
        ...dueRefunds,
        what: "refund",
        idField: "refundId",
        batch,
        leaseMs,
        run: (id) => attemptRefund(deps, id),
        reportFailure(error) {
          if (!(error instanceof RefundRefusedError)) return false;
          deps.logger.error(
            { ...error.refund, err: error.cause.message },
            "the payment provider refused a refund: it is FAILED and the money is still captured; refund the customer another way",
          );
          return true;
        },
      },
      {
        ...unsettledAttempts,
        what: "reconciliation",
        idField: "attemptId",
        batch,
        leaseMs,
        run: (id) => reconcileAttempt(deps, id),
      },
    ],
  });
}
