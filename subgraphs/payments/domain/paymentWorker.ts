import type { PaymentsTx } from "../store/database";
import { claimDuePayments, claimDueRefunds } from "../store/paymentStore";
import { attemptCapture, type CaptureDependencies } from "./captures";
import { attemptRefund, RefundRefusedError } from "./refunds";

const batch = 20;
// A try that has not finished by then (a crashed process) is taken up again.
const leaseMs = 30_000;

/**
 * Makes the captures and refunds that are due, a batch at a time, in parallel; true when there may
 * be more. One that fails does not stop the others: each failure is logged (a capture or refund
 * that failed unexpectedly is taken up again when its lease ends). A refund the provider refused
 * is FAILED and never retried, so the money it was to give back is still captured: an error that
 * someone must act on.
 */
export async function processDuePayments(deps: CaptureDependencies): Promise<boolean> {
  const [payments, refunds] = await deps.unitOfWork(
    async (tx: PaymentsTx) =>
      [await claimDuePayments(tx, batch, leaseMs), await claimDueRefunds(tx, batch, leaseMs)] as const,
  );
  const tries = [
    ...payments.map(({ id }) => ({ kind: "capture" as const, id, done: attemptCapture(deps, id) })),
    ...refunds.map(({ id }) => ({ kind: "refund" as const, id, done: attemptRefund(deps, id) })),
  ];
  const results = await Promise.allSettled(tries.map((each) => each.done));
  results.forEach((result, index) => {
    if (result.status === "fulfilled") return;
    const { kind, id } = tries[index]!;
    if (result.reason instanceof RefundRefusedError) {
      deps.logger.error(
        { ...result.reason.refund, err: result.reason.cause.message },
        "the payment provider refused a refund: it is FAILED and the money is still captured; refund the customer another way",
      );
      return;
    }
    const err = result.reason instanceof Error ? result.reason.message : String(result.reason);
    deps.logger.error(
      { [kind === "capture" ? "paymentId" : "refundId"]: id, err },
      `a ${kind} failed unexpectedly; it is tried again when its lease ends`,
    );
  });
  return payments.length === batch || refunds.length === batch;
}
