import { PeriodicWorker } from "../../common/server/periodicWorker";
import { claimPaymentWork } from "../store/captureBatchSql";
import { attemptLeaseMs } from "./attemptLease";
import { captureBegun } from "./captureBatch";
import type { PaymentsDependencies } from "./dependencies";
import { reconcileAttempt } from "./reconciliation";
import { attemptRefund, RefundRefusedError } from "./refunds";

const leaseMs = attemptLeaseMs;
const batch = 20;

/**
 * The worker that makes the captures and refunds that are due, and reconciles the calls whose
 * answer was never recorded (or is not final), a batch of each at a time; it ticks at start, so
 * what a crash left unsettled is looked up then. A tick takes all three kinds in one statement
 * (leased, so replicas share the work); the captures are asked and recorded together
 * (`captureBegun`), refunds and reconciliations each on its own, and a failure of one is logged
 * on its own (it is taken again when its lease ends). A refund the provider refused is FAILED
 * and never retried, so the money it was to give back is still captured: an error that someone
 * must act on.
 */
export function paymentWorker(deps: PaymentsDependencies, intervalMs: number) {
  const { logger } = deps;
  const each = async (what: string, idField: string, ids: readonly string[], run: (id: string) => Promise<void>) => {
    const results = await Promise.allSettled(ids.map((id) => run(id)));
    results.forEach((result, index) => {
      if (result.status === "fulfilled") return;
      if (what === "refund" && result.reason instanceof RefundRefusedError) {
        logger.error(
          { ...result.reason.refund, err: result.reason.cause.message },
          "the payment provider refused a refund: it is FAILED and the money is still captured; refund the customer another way",
        );
        return;
      }
      const err = result.reason instanceof Error ? result.reason.message : String(result.reason);
      logger.error(
        { [idField]: ids[index], err },
        `a ${what} failed unexpectedly; it is tried again when its lease ends`,
      );
    });
  };
  const tick = async (): Promise<boolean> => {
    const work = await claimPaymentWork(deps.db, {
      limit: batch,
      leaseMs,
      reconcileAt: new Date(Date.now() + deps.reconcileAfterMs),
    });
    await Promise.all([
      captureBegun(deps, work.captures),
      each("refund", "refundId", work.refundIds, (id) => attemptRefund(deps, id)),
      each("reconciliation", "attemptId", work.unsettledIds, (id) => reconcileAttempt(deps, id)),
    ]);
    return [work.captures, work.refundIds, work.unsettledIds].some((taken) => taken.length === batch);
  };
  return new PeriodicWorker("payment-attempts", tick, { intervalMs, logger });
}
