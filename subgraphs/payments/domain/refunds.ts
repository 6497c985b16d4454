import { backoffDelayMs, type BackoffSettings } from "../../common/backoff";
import { BadUserInputError, ConflictError, NotFoundError } from "../../common/errors";
import type { Emit, UnitOfWork } from "../../common/events/unitOfWork";
import type { Logger } from "../../common/logger";
import { parseAmount, toMoney } from "../../common/money";
import { isUuid, optionalText } from "../../common/validation";
import type { PaymentProvider } from "../provider/paymentProvider";
import { ProviderRejectedError, TransientProviderError } from "../provider/paymentProvider";
import type { PaymentsDb, PaymentsTx } from "../store/database";
import {
  createRefund,
  findRefundWithPayment,
  lockOrderPayments,
  lockPayment,
  lockPaymentOfOrder,
  pendingRefundTotal,
  recordAttempt,
  scheduleRefundRetry,
  settleRefund,
} from "../store/paymentStore";
import type { PaymentRecord } from "../store/records";
import { applyPaymentEvent } from "./paymentTransitions";

export interface RefundDependencies {
  db: PaymentsDb;
  unitOfWork: UnitOfWork<PaymentsTx>;
  provider: PaymentProvider;
  retry: BackoffSettings;
  logger: Logger;
}

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
  deps: RefundDependencies,
  input: { orderId: string; amount?: string | null; reason?: string | null },
): Promise<PaymentRecord> {
  const requested = input.amount ? parseAmount(input.amount, "amount") : null;
  if (requested !== null && requested <= 0n) throw new BadUserInputError("The refund must be more than 0.", "amount");
  const reason = optionalText(input.reason, "reason", 500);
  const refundId = await deps.unitOfWork(async (tx) => {
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
    const refund = await createRefund(tx, { paymentId: payment.id, amountMinor: amount, reason });
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
  // The background worker may have made this attempt first (the refund was due once committed),
  // so the answer is read from the refund, whoever tried it.
  const refund = await findRefundWithPayment(deps.db, refundId);
  if (!refund) throw new Error(`refund ${refundId} vanished`);
  if (refund.status === "FAILED") {
    throw new ConflictError(
      "The payment provider refused this refund, so nothing was refunded. Its answer is in the payment's attempts; refund the customer another way.",
    );
  }
  return refund.payment;
}

/** One try at a refund with the provider; the outcome (and the attempt) is recorded. */
export async function attemptRefund(deps: RefundDependencies, refundId: string): Promise<void> {
  const refund = await findRefundWithPayment(deps.db, refundId);
  if (!refund || refund.status !== "PENDING") return;
  const { payment } = refund;
  const idempotencyKey = `refund:${refund.id}`;
  const attempt = { paymentId: payment.id, kind: "REFUND" as const, amountMinor: refund.amountMinor, idempotencyKey };
  try {
    const result = await deps.provider.refund({
      idempotencyKey,
      captureReference: payment.captureReference ?? "",
      amountMinor: refund.amountMinor,
      currency: payment.currency,
    });
    await deps.unitOfWork(async (tx, emit) => {
      const current = await lockPayment(tx, payment.id);
      if (!current || !(await settleRefund(tx, refund.id, "SUCCEEDED"))) return;
      const refundedMinor = current.refundedMinor + refund.amountMinor;
      await applyPaymentEvent(tx, current, { type: "REFUNDED", amountMinor: refund.amountMinor });
      await recordAttempt(tx, { ...attempt, outcome: "SUCCEEDED", providerReference: result.reference });
      emit("payments.payment.refunded", {
        orderId: payment.orderId,
        paymentId: payment.id,
        amount: toMoney(refund.amountMinor, payment.currency),
        refundedTotal: toMoney(refundedMinor, payment.currency),
        fullyRefunded: refundedMinor >= current.amountMinor,
        reason: refund.reason,
      });
    });
  } catch (error) {
    if (error instanceof ProviderRejectedError) {
      // Trying again never helps: the refund is given up (what it held back can be refunded
      // again), and the refusal goes on to whoever asked, to tell the back office or log.
      await deps.unitOfWork(async (tx) => {
        if (!(await settleRefund(tx, refund.id, "FAILED"))) return;
        await recordAttempt(tx, { ...attempt, outcome: "DECLINED", error: error.message });
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
      await recordAttempt(tx, { ...attempt, outcome: "TRANSIENT_ERROR", error: error.message });
    });
  }
}
