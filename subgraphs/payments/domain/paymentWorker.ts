import { dueWorker } from "../../common/dueWork/dueWorker";
import { duePayments, dueRefunds } from "../store/paymentStore";
import { attemptCapture, type CaptureDependencies } from "./captures";
import { attemptRefund, RefundRefusedError } from "./refunds";

// A try that has not finished by then (a crashed process) is taken up again.
const leaseMs = 30_000;
const batch = 20;

/**
 * The worker that makes the captures and refunds that are due, a batch of each at a time. A
 * refund the provider refused is FAILED and never retried, so the money it was to give back is
 * still captured: an error that someone must act on.
 */
export function paymentWorker(deps: CaptureDependencies, intervalMs: number) {
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
    ],
  });
}
