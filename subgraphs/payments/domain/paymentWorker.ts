import { claimDue } from "../../common/dueWork/claimDue";
import type { DueWork } from "../../common/dueWork/dueWorker";
import { PeriodicWorker } from "../../common/server/periodicWorker";
import { dueRefunds, unsettledAttempts } from "../store/paymentStore";
import { attemptLeaseMs } from "./attemptLease";
import { captureDue } from "./captureBatch";
import type { PaymentsDependencies } from "./dependencies";
import { reconcileAttempt } from "./reconciliation";
import { attemptRefund, RefundRefusedError } from "./refunds";

const leaseMs = attemptLeaseMs;
const batch = 20;

/**
 * The worker that makes the captures and refunds that are due, and reconciles the calls whose
 * answer was never recorded (or is not final), a batch of each at a time; it ticks at start, so
 * what a crash left unsettled is looked up then. The captures of a batch are taken, asked and
 * recorded together (`captureDue`); refunds and reconciliations one by one, as `dueWorker` does
 * them. A refund the provider refused is FAILED and never retried, so the money it was to give
 * back is still captured: an error that someone must act on.
 */
export function paymentWorker(deps: PaymentsDependencies, intervalMs: number) {
  const work: DueWork[] = [
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
  ];
  const runDue = async (kind: DueWork): Promise<boolean> => {
    const ids = await claimDue(deps.db, kind, kind.batch, kind.leaseMs);
    const results = await Promise.allSettled(ids.map((id) => kind.run(id)));
    results.forEach((result, index) => {
      if (result.status === "fulfilled" || kind.reportFailure?.(result.reason)) return;
      const err = result.reason instanceof Error ? result.reason.message : String(result.reason);
      deps.logger.error(
        { [kind.idField]: ids[index], err },
        `a ${kind.what} failed unexpectedly; it is tried again when its lease ends`,
      );
    });
    return ids.length === kind.batch;
  };
  const tick = async (): Promise<boolean> => {
    const full = await Promise.all([
      captureDue(deps, batch, leaseMs).then((taken) => taken === batch),
      ...work.map(runDue),
    ]);
    return full.some(Boolean);
  };
  return new PeriodicWorker("payment-attempts", tick, { intervalMs, logger: deps.logger });
}
