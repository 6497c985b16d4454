import {
  ProviderRejectedError,
  TransientProviderError,
  type NotFound,
  type PaymentProvider,
  type PaymentState,
} from "../provider/paymentProvider";
import type { PaymentAttempt } from "../generated/prisma/client";
import { findAttempt, findPayment, findRefundByKey, lockPayment, settleAttempt } from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import type { PaymentsDependencies } from "./dependencies";
import { settlePayment } from "./paymentSettlement";
import { recordRefundMade } from "./refunds";

const open = new Set(["UNKNOWN", "REQUIRES_ACTION"]);

/**
 * Reconciliation: a call to the provider whose answer was never recorded (the process died, or
 * its commit failed, after the provider answered), or whose answer was not final (a payment
 * waiting for its customer), is looked up at the provider and settled by what the provider
 * says, as its answer would have been. Looking up never charges or refunds. A payment that
 * closed while something still waits at the provider (the customer never authenticated) has that
 * voided there. Run by the payment worker for every call that falls due, and so at start too;
 * settling is idempotent, so a call reconciled twice changes things once.
 */
export async function reconcileAttempt(deps: PaymentsDependencies, attemptId: string): Promise<void> {
  const attempt = await findAttempt(deps.db, attemptId);
  if (!attempt || !open.has(attempt.outcome)) return;
  const payment = await findPayment(deps.db, attempt.paymentId);
  if (!payment) return;
  const provider = deps.providers.get(payment.provider);
  try {
    if (attempt.kind === "REFUND") await reconcileRefund(deps, provider, attempt, payment);
    else await reconcileCapture(deps, provider, attempt, payment);
  } catch (error) {
    if (!(error instanceof TransientProviderError)) throw error;
    // The provider is not answering now: asked again later.
    await deps.unitOfWork((tx) =>
      settleAttempt(tx, attempt.id, {
        outcome: attempt.outcome,
        providerReference: attempt.providerReference,
        checkAgainAt: new Date(Date.now() + deps.reconcileAfterMs),
        error: `reconciliation: ${error.message}`,
      }),
    );
  }
}

/** Whether what the provider holds for this payment still waits to be settled (and can be voided). */
const stillOpen = (state: PaymentState | NotFound): state is Extract<PaymentState, { reference: string }> =>
  state.status === "requires_action" || state.status === "processing";

async function reconcileCapture(
  deps: PaymentsDependencies,
  provider: PaymentProvider,
  attempt: PaymentAttempt,
  payment: PaymentRecord,
): Promise<void> {
  const lookup = {
    idempotencyKey: attempt.idempotencyKey,
    reference: payment.captureReference ?? attempt.providerReference,
    metadata: { orderId: payment.orderId, paymentId: payment.id },
  };
  let state = await provider.findPayment(lookup);
  if (stillOpen(state) && payment.status === "FAILED") {
    // The payment closed (its order cancelled, its window over) while the customer could still
    // complete it: void it, so it can never be taken. If it was taken meanwhile, the look-up says so.
    try {
      state = await provider.cancelPayment({ reference: state.reference, idempotencyKey: `cancel:${payment.id}` });
    } catch (error) {
      if (!(error instanceof ProviderRejectedError)) throw error;
      state = await provider.findPayment(lookup);
    }
  }
  const found = state;
  await deps.unitOfWork(async (tx, emit) => {
    const current = await lockPayment(tx, payment.id);
    if (!current) return;
    if (found.status === "not_found") {
      // The call never reached the provider: nothing was taken. A payment still PENDING is
      // captured by its next try, as it is due.
      await settleAttempt(tx, attempt.id, {
        outcome: "TRANSIENT_ERROR",
        error: "the provider has no record of this call",
      });
      return;
    }
    await settlePayment(tx, emit, current, found, {
      attemptId: attempt.id,
      tried: false,
      reconcileAfterMs: deps.reconcileAfterMs,
    });
  });
}

async function reconcileRefund(
  deps: PaymentsDependencies,
  provider: PaymentProvider,
  attempt: PaymentAttempt,
  payment: PaymentRecord,
): Promise<void> {
  const refund = await findRefundByKey(deps.db, attempt.idempotencyKey);
  if (!refund) return;
  const found = await provider.findRefund({
    idempotencyKey: attempt.idempotencyKey,
    captureReference: payment.captureReference ?? "",
    metadata: { refundId: refund.id },
  });
  await deps.unitOfWork(async (tx, emit) => {
    if (found.status === "not_found") {
      // Never made: a refund still PENDING is made by its next try, as it is due.
      await settleAttempt(tx, attempt.id, {
        outcome: "TRANSIENT_ERROR",
        error: "the provider has no record of this call",
      });
      return;
    }
    await settleAttempt(tx, attempt.id, { outcome: "SUCCEEDED", providerReference: found.reference });
    await recordRefundMade(tx, emit, refund, found.reference);
  });
}
