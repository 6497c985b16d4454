import { recordAudit } from "../../common/audit/recordAudit";
import type { Caller } from "../../common/auth/caller";
import { backoffDelayMs } from "../../common/backoff";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import type { Emit } from "../../common/events/unitOfWork";
import { parseAmount, toMoney } from "../../common/money";
import { isUuid, optionalText } from "../../common/validation";
import { ProviderRejectedError, TransientProviderError } from "../provider/paymentProvider";
import type { PaymentsTx } from "../store/database";
import {
  createRefund,
  dropAttempt,
  findRefundWithPayment,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  openAttempt,
  pendingRefundTotal,
  scheduleRefundRetry,
  settleAttempt,
  settleOpenAttempts,
  settleRefund,
} from "../store/paymentStore";
import type { PaymentRecord, RefundRecord } from "../store/records";
import { attemptLeaseMs } from "./attemptLease";
import type { PaymentsDependencies } from "./dependencies";
import { applyPaymentEvent } from "./paymentTransitions";

/** The refund calls of one refund all carry this key: the provider gives the money back once. */
export const refundKeyOf = (refundId: string) => `refund:${refundId}`;

/** The provider refused a refund (never retried): the refund is FAILED and the money it was to give back is still captured. */
export class RefundRefusedError extends Error {
  override name = "RefundRefusedError";
  constructor(
    readonly refund: {
      refundId: string;
      paymentId: string;
      orderId: string;
      amount: string;
      currency: string;
      captureReference: string | null;
      reason: string | null;
    },
    override readonly cause: ProviderRejectedError,
  ) {
    super(`the provider refused refund ${refund.refundId} of payment ${refund.paymentId}: ${cause.message}`);
  }
}

/** What is captured and neither refunded nor being refunded. */
async function refundable(tx: PaymentsTx, payment: PaymentRecord): Promise<bigint> {
  if (payment.status !== "SUCCEEDED" && payment.status !== "PARTIALLY_REFUNDED") return 0n;
  return payment.amountMinor - payment.refundedMinor - (await pendingRefundTotal(tx, payment.id));
}

/** Asks for a refund of what is left (cancelled after payment); made by the worker, retried until it succeeds. */
export async function refundRemainder(
  tx: PaymentsTx,
  emit: Emit,
  payment: PaymentRecord,
  reason: string,
): Promise<void> {
  const amount = await refundable(tx, payment);
  if (amount <= 0n) return;
  await createRefund(tx, { paymentId: payment.id, amountMinor: amount, reason });
  emit.wake("payment-attempts");
}

/**
 * A back-office refund of an order's payment: the given amount, or everything not yet refunded.
 * More than what is left is BAD_USER_INPUT. The refund is made at once; if the provider fails,
 * it is retried in the background. If the provider refuses it (a card closed since, a charge
 * disputed), the refund is FAILED, nothing is refunded, and the caller gets CONFLICT.
 */
export async function refundOrder(
  deps: PaymentsDependencies & { caller?: Caller | null },
  input: { orderId: string; amount?: string | null; reason?: string | null },
): Promise<PaymentRecord> {
  const requested = input.amount ? parseAmount(input.amount, "amount") : null;
  if (requested !== null && requested <= 0n) throw new BadUserInputError("The refund must be more than 0.", "amount");
  const reason = optionalText(input.reason, "reason", 500);
  const refundId = await deps.unitOfWork(async (tx, emit) => {
    if (!isUuid(input.orderId)) throw new NotFoundError("This order has no payment.");
    await lockOrderPayments(tx, input.orderId);
    const payment = await lockPaymentOfOrder(tx, input.orderId);
    if (!payment) throw new NotFoundError("This order has no payment.");
    const left = await refundable(tx, payment);
    if (payment.status !== "SUCCEEDED" && payment.status !== "PARTIALLY_REFUNDED") {
      throw new ConflictError(
        `There is no captured payment to refund: the payment is ${payment.status.toLowerCase().replace("_", " ")}.`,
      );
    }
    const amount = requested ?? left;
    if (amount <= 0n) throw new ConflictError("Everything captured is already refunded.");
    if (amount > left) {
      throw new BadUserInputError(
        `At most ${toMoney(left, payment.currency).amount} ${payment.currency} can still be refunded.`,
        "amount",
      );
    }
    // Made at once below; the worker takes it up only if this try never finishes.
    const refund = await createRefund(
      tx,
      { paymentId: payment.id, amountMinor: amount, reason },
      { leasedForMs: attemptLeaseMs },
    );
    await recordAudit(tx, emit, "payments", deps.caller, {
      entityType: "PAYMENT",
      entityId: payment.id,
      action: "payment.refund_requested",
      before: {
        orderId: payment.orderId,
        status: payment.status,
        refunded: toMoney(payment.refundedMinor, payment.currency),
      },
      after: {
        orderId: payment.orderId,
        refundId: refund.id,
        amount: toMoney(amount, payment.currency),
        reason,
      },
    });
    return refund.id;
  });
  try {
    await attemptRefund(deps, refundId);
  } catch (error) {
    if (!(error instanceof RefundRefusedError)) throw error;
    deps.logger.warn(
      { ...error.refund, err: error.cause.message },
      "the payment provider refused a back-office refund",
    );
  }
  // A notification or reconciliation may have settled it meanwhile, so the answer is read from
  // the refund, whoever settled it.
  const refund = await findRefundWithPayment(deps.db, refundId);
  if (!refund) throw new Error(`refund ${refundId} vanished`);
  if (refund.status === "FAILED") {
    throw new ConflictError(
      "The payment provider refused this refund, so nothing was refunded. Its answer is in the payment's attempts; refund the customer another way.",
    );
  }
  return refund.payment;
}

/**
 * Records a refund the provider made (whoever learnt it: the call, reconciliation, a
 * notification): the refund SUCCEEDED, the payment's refunded total, the calls of its key, and
 * `payments.payment.refunded`. False, changing nothing, when the refund was settled already.
 */
export async function recordRefundMade(
  tx: PaymentsTx,
  emit: Emit,
  refund: RefundRecord,
  reference: string,
): Promise<boolean> {
  await settleOpenAttempts(tx, refundKeyOf(refund.id), { outcome: "SUCCEEDED", providerReference: reference });
  const current = await lockPayment(tx, refund.paymentId);
  if (!current || !(await settleRefund(tx, refund.id, "SUCCEEDED"))) return false;
  const refundedMinor = current.refundedMinor + refund.amountMinor;
  await applyPaymentEvent(tx, current, { type: "REFUNDED", amountMinor: refund.amountMinor });
  emit("payments.payment.refunded", {
    orderId: current.orderId,
    paymentId: current.id,
    amount: toMoney(refund.amountMinor, current.currency),
    refundedTotal: toMoney(refundedMinor, current.currency),
    fullyRefunded: refundedMinor >= current.amountMinor,
    reason: refund.reason,
  });
  return true;
}

/**
 * One try at a refund with the provider that took the payment. The call is recorded before it is
 * made (UNKNOWN), so one whose answer is lost is settled by reconciliation; the outcome is
 * recorded with it.
 */
export async function attemptRefund(deps: PaymentsDependencies, refundId: string): Promise<void> {
  const refund = await findRefundWithPayment(deps.db, refundId);
  if (!refund || refund.status !== "PENDING") return;
  const { payment } = refund;
  const idempotencyKey = refundKeyOf(refund.id);
  const attempt = await openAttempt(deps.db, {
    paymentId: payment.id,
    kind: "REFUND",
    amountMinor: refund.amountMinor,
    idempotencyKey,
    reconcileAt: new Date(Date.now() + deps.reconcileAfterMs),
  });
  try {
    const result = await deps.providers.get(payment.provider).refund({
      idempotencyKey,
      captureReference: payment.captureReference ?? "",
      amountMinor: refund.amountMinor,
      currency: payment.currency,
      metadata: { orderId: payment.orderId, paymentId: payment.id, refundId: refund.id },
    });
    await deps.unitOfWork(async (tx, emit) => {
      await settleAttempt(tx, attempt.id, { outcome: "SUCCEEDED", providerReference: result.reference });
      // Another call of the same key (the worker's, the back office's) settled it first: the
      // provider answered this one from that refund, so it is not kept as a second.
      if (!(await recordRefundMade(tx, emit, refund, result.reference))) await dropAttempt(tx, attempt.id);
    });
  } catch (error) {
    if (error instanceof ProviderRejectedError) {
      // Trying again never helps: the refund is given up (what it held back can be refunded
      // again), and the refusal goes on to whoever asked, to tell the back office or log.
      await deps.unitOfWork(async (tx) => {
        if (await settleRefund(tx, refund.id, "FAILED"))
          await settleAttempt(tx, attempt.id, { outcome: "DECLINED", error: error.message });
        else await dropAttempt(tx, attempt.id);
      });
      const { amount, currency } = toMoney(refund.amountMinor, payment.currency);
      throw new RefundRefusedError(
        {
          refundId: refund.id,
          paymentId: payment.id,
          orderId: payment.orderId,
          amount,
          currency,
          captureReference: payment.captureReference,
          reason: refund.reason,
        },
        error,
      );
    }
    if (!(error instanceof TransientProviderError)) throw error;
    await deps.unitOfWork(async (tx) => {
      const attempts = refund.attemptCount + 1;
      await scheduleRefundRetry(tx, refund.id, attempts, new Date(Date.now() + backoffDelayMs(attempts, deps.retry)));
      await settleAttempt(tx, attempt.id, { outcome: "TRANSIENT_ERROR", error: error.message });
    });
  }
}
